package download

import "testing"

func TestParseNetrc(t *testing.T) {
	text := `# comment
machine a.example login alice password pa
machine b.example
	login bob
	account acct
	password pb
macdef init
  cd /pub
  login nobody

default login anon password guest
`
	for _, c := range []struct{ host, login, password string }{
		{"a.example", "alice", "pa"},
		{"b.example", "bob", "pb"},
		{"c.example", "anon", "guest"},
	} {
		l, p, ok := parseNetrc(text, c.host)
		if !ok || l != c.login || p != c.password {
			t.Errorf("%s: got %q %q %v", c.host, l, p, ok)
		}
	}
	if _, _, ok := parseNetrc("machine a login x password y\n", "b"); ok {
		t.Error("entry for an unknown host without a default")
	}
}
