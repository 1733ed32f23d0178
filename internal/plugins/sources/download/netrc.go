package download

import (
	"os"
	"path/filepath"
	"strings"
)

// netrcEntry returns the login and password ~/.netrc gives for host (its
// "machine host" entry, else its "default" entry), as Python's netrc
// module does. A missing or unreadable file gives nothing.
func netrcEntry(host string) (login, password string, ok bool) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", "", false
	}
	data, err := os.ReadFile(filepath.Join(home, ".netrc"))
	if err != nil {
		return "", "", false
	}
	return parseNetrc(string(data), host)
}

// parseNetrc looks host up in the text of a netrc file.
func parseNetrc(text, host string) (login, password string, ok bool) {
	type entry struct{ login, password string }
	var def *entry
	var cur *entry
	found := false
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		fields := strings.Fields(lines[i])
		if len(fields) > 0 && strings.HasPrefix(fields[0], "#") {
			continue
		}
		for j := 0; j < len(fields); j++ {
			next := func() string {
				if j+1 < len(fields) {
					j++
					return fields[j]
				}
				return ""
			}
			switch fields[j] {
			case "machine":
				if found {
					return cur.login, cur.password, true
				}
				name := next()
				cur = &entry{}
				found = name == host
			case "default":
				if found {
					return cur.login, cur.password, true
				}
				cur = &entry{}
				def = cur
			case "login", "user":
				if cur != nil {
					cur.login = next()
				}
			case "password":
				if cur != nil {
					cur.password = next()
				}
			case "account":
				next()
			case "macdef":
				// A macro runs to the next empty line.
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
				j = len(fields)
			}
		}
	}
	if found {
		return cur.login, cur.password, true
	}
	if def != nil {
		return def.login, def.password, true
	}
	return "", "", false
}
