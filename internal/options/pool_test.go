package options

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

func parseYAML(t *testing.T, file, src string) *yamlnode.Mapping {
	t.Helper()
	m, err := yamlnode.Parse([]byte(src), file)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return m
}

var testHost = Host{Arch: "x86_64", OS: "Linux"}

// newTestPool declares the options of src (an `options` mapping body).
func newTestPool(t *testing.T, gen Generation, host Host, src string) (*Pool, error) {
	t.Helper()
	p := NewPool(gen, host)
	p.SetElementLister(func() ([]string, error) { return []string{"a.bst", "b.bst", "sub/c.bst"}, nil })
	return p, p.Load(parseYAML(t, "project.conf", src))
}

// expectErr checks err's reason and that its text contains want.
func expectErr(t *testing.T, err error, reason bsterr.Reason, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q", reason, want)
	}
	if got := bsterr.ReasonOf(err); got != reason {
		t.Errorf("reason %s, want %s (%v)", got, reason, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err.Error(), want)
	}
}

func TestLoadDeclarations(t *testing.T) {
	tests := []struct {
		name   string
		gen    Generation
		src    string
		reason bsterr.Reason // "" for success
		want   string
	}{
		{"bool", Gen1, "o: {type: bool, description: d, default: False}", "", ""},
		{"bool gen2 numeric default", Gen2, "o: {type: bool, description: d, default: '1'}", "", ""},
		{"bool gen1 numeric default", Gen1, "o: {type: bool, description: d, default: '1'}",
			bsterr.InvalidData, "project.conf [line 1 column 41]: Value of 'default' is not of the expected type 'bool'"},
		{"bool gen2 bad default", Gen2, "o: {type: bool, description: d, default: yes}",
			bsterr.InvalidData, "Value of 'default' is not of the expected type 'boolean'"},
		{"bool missing default", Gen1, "o: {type: bool, description: d}",
			bsterr.InvalidData, "Dictionary did not contain expected key 'default'"},
		{"bool extra key", Gen1, "o: {type: bool, description: d, default: true, values: [a]}",
			bsterr.InvalidData, "Unexpected key: values"},
		{"missing description", Gen1, "o: {type: bool, default: true}",
			bsterr.InvalidData, "project.conf [line 1 column 3]: Dictionary did not contain expected key 'description'"},
		{"description list gen2", Gen2, "o: {type: bool, default: true, description: [a]}",
			bsterr.InvalidData, "Value of 'description' is not of the expected type 'scalar'"},
		{"missing type", Gen2, "o: {description: d}",
			bsterr.InvalidData, "Dictionary did not contain expected key 'type'"},
		{"unknown type gen1", Gen1, "o: {type: funny, description: d}",
			bsterr.InvalidData, "project.conf [line 1 column 10]: Invalid option type 'funny'"},
		{"os gen1", Gen1, "o: {type: os, description: d, values: [Linux]}",
			bsterr.InvalidData, "Invalid option type 'os'"},
		{"unknown type gen2", Gen2, "o: {type: funny, description: d}",
			bsterr.InvalidData, "Value of 'type' should be one of 'bool, enum, flags, element-mask, arch, os'"},
		{"dashed name", Gen1, "a-b: {type: bool, description: d, default: true}",
			bsterr.InvalidSymbolName, "Invalid symbol name for option name: 'a-b'"},
		{"not a mapping", Gen1, "o: pony",
			bsterr.InvalidData, "Value of 'o' is not of the expected type 'dict'"},
		{"variable with dashes", Gen1, "o: {type: bool, description: d, default: true, variable: my-var}", "", ""},
		{"bad variable", Gen2, "o: {type: bool, description: d, default: true, variable: 'a b'}",
			bsterr.InvalidSymbolName, "Invalid symbol name for variable name: 'a b'"},
		{"enum", Gen2, "o: {type: enum, description: d, values: [a, b], default: b}", "", ""},
		{"enum bad default", Gen1, "o: {type: enum, description: d, values: [a, b], default: c}",
			bsterr.InvalidData, "project.conf [line 1 column 57]: Invalid value for enum option 'o': c"},
		// BuildStream reads every plain scalar as a string: "~" is "~".
		{"enum null default", Gen1, "o: {type: enum, description: d, values: [a, b], default: ~}",
			bsterr.InvalidData, "Invalid value for enum option 'o': ~"},
		{"enum missing default", Gen1, "o: {type: enum, description: d, values: [a]}",
			bsterr.InvalidData, "Dictionary did not contain expected key 'default'"},
		{"enum no values", Gen2, "o: {type: enum, description: d, default: a}",
			bsterr.InvalidData, "No values specified for enum option 'o'"},
		{"enum values not list", Gen1, "o: {type: enum, description: d, values: a, default: a}",
			bsterr.InvalidData, "Value of 'values' is not of the expected type 'list'"},
		{"enum null values gen1", Gen1, "o: {type: enum, description: d, values: ~, default: a}",
			bsterr.InvalidData, "Value of 'values' is not of the expected type 'list'"},
		{"enum null values gen2", Gen2, "o: {type: enum, description: d, values: ~, default: a}",
			bsterr.InvalidData, "Value of 'values' is not of the expected type 'list'"},
		{"enum nested value gen2", Gen2, "o: {type: enum, description: d, values: [[a]], default: a}",
			bsterr.InvalidData, "List item is not of the expected type 'scalar'"},
		{"flags", Gen1, "o: {type: flags, description: d, values: [a, b], default: [b, a]}", "", ""},
		{"flags no default", Gen1, "o: {type: flags, description: d, values: [a, b]}", "", ""},
		{"flags bad default", Gen2, "o: {type: flags, description: d, values: [a, b], default: [c, a]}",
			bsterr.InvalidData, "project.conf [line 1 column 58]: Invalid value for flags option 'o': ['c', 'a']"},
		{"flags no values", Gen1, "o: {type: flags, description: d, values: []}",
			bsterr.InvalidData, "project.conf [line 1 column 3]: No values specified for flags option 'o'"},
		{"arch with default", Gen1, "o: {type: arch, description: d, values: [x86_64], default: x86_64}",
			bsterr.InvalidData, "Unexpected key: default"},
		{"arch unknown value gen2", Gen2, "o: {type: arch, description: d, values: [x86_64, pdp11]}",
			bsterr.InvalidData, "project.conf [line 1 column 49]: Invalid value for arch option 'o': Unknown architecture: pdp11"},
		{"element-mask", Gen2, "o: {type: element-mask, description: d, default: [a.bst]}", "", ""},
		{"element-mask bad default", Gen1, "o: {type: element-mask, description: d, default: [x.bst]}",
			bsterr.InvalidData, "Invalid value for flags option 'o': ['x.bst']"},
		{"element-mask values", Gen1, "o: {type: element-mask, description: d, values: [a.bst]}",
			bsterr.InvalidData, "Unexpected key: values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTestPool(t, tt.gen, testHost, tt.src)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			expectErr(t, err, tt.reason, tt.want)
		})
	}
}

func TestUnknownHostArch(t *testing.T) {
	_, err := newTestPool(t, Gen2, Host{Arch: "x86_128", OS: "Linux"}, "o: {type: arch, description: d, values: [x86_64]}")
	var be *bsterr.Error
	if !errors.As(err, &be) || be.Domain != DomainPlatform || be.Msg != "Unknown architecture: x86_128" {
		t.Fatalf("got %#v, want a PLATFORM error", err)
	}
}

// TestValidValuesDetail: as in BuildStream 1.6, the valid values are the
// second line of the message itself.
func TestValidValuesDetail(t *testing.T) {
	p, err := newTestPool(t, Gen1, testHost, "o: {type: enum, description: d, values: [a, b], default: a}")
	if err != nil {
		t.Fatal(err)
	}
	err = p.LoadCLIValues([][2]string{{"o", "c"}}, false)
	var be *bsterr.Error
	if !errors.As(err, &be) || be.Msg != "Invalid value for enum option 'o': c\nValid values: a, b" || be.Detail != "" {
		t.Fatalf("got %#v", err)
	}
}

const valueDecls = `
b: {type: bool, description: d, default: false, variable: the-bool}
e: {type: enum, description: d, values: [pony, horsy, "it's"], default: pony, variable: the-enum}
f: {type: flags, description: d, values: [zebry, pony, horsy], default: [pony, horsy], variable: the-flags}
m: {type: element-mask, description: d}
a: {type: arch, description: d, values: [x86_64, aarch64], variable: the-arch}
`

func TestValues(t *testing.T) {
	tests := []struct {
		name   string
		gen    Generation
		cli    [][2]string
		yaml   string
		want   map[string]string // printable values
		reason bsterr.Reason
		err    string
	}{
		{name: "defaults", gen: Gen1, want: map[string]string{"b": "0", "e": "pony", "f": "pony,horsy", "m": "", "a": "x86_64"}},
		{name: "cli", gen: Gen1, cli: [][2]string{{"b", "true"}, {"e", "horsy"}, {"f", " zebry ,pony"}, {"m", "sub/c.bst,a.bst"}, {"a", "aarch64"}},
			want: map[string]string{"b": "1", "e": "horsy", "f": "pony,zebry", "m": "a.bst,sub/c.bst", "a": "aarch64"}},
		{name: "cli later wins", gen: Gen2, cli: [][2]string{{"b", "True"}, {"b", "False"}}, want: map[string]string{"b": "0"}},
		{name: "cli bool numeric", gen: Gen2, cli: [][2]string{{"b", "1"}}, reason: bsterr.InvalidData, err: "Invalid value for boolean option b: 1"},
		{name: "cli empty flags", gen: Gen1, cli: [][2]string{{"f", ""}}, reason: bsterr.InvalidData, err: "Invalid value for flags option 'f': ['']"},
		{name: "cli flags repr", gen: Gen1, cli: [][2]string{{"f", "x,it's"}}, reason: bsterr.InvalidData, err: `Invalid value for flags option 'f': ['x', "it's"]`},
		{name: "cli unknown", gen: Gen1, cli: [][2]string{{"zz", "1"}}, reason: bsterr.InvalidData, err: "Unknown option 'zz' specified on the command line"},
		{name: "yaml", gen: Gen2, yaml: "b: true\ne: \"it's\"\nf: [zebry, horsy]\nm: [b.bst]",
			want: map[string]string{"b": "1", "e": "it's", "f": "horsy,zebry", "m": "b.bst"}},
		{name: "yaml bool numeric gen2", gen: Gen2, yaml: "b: 1", want: map[string]string{"b": "1"}},
		{name: "yaml bool numeric gen1", gen: Gen1, yaml: "b: 1", reason: bsterr.InvalidData,
			err: "user.conf [line 1 column 3]: Value of 'b' is not of the expected type 'bool'"},
		{name: "yaml bool list gen2", gen: Gen2, yaml: "b: [x]", reason: bsterr.InvalidData,
			err: "Value of 'b' is not of the expected type 'scalar'"},
		{name: "yaml enum list gen1", gen: Gen1, yaml: "e: [x]", reason: bsterr.InvalidData,
			err: "Value of 'e' is not of the expected type 'str'"},
		{name: "yaml enum invalid", gen: Gen1, yaml: "e: zebry", reason: bsterr.InvalidData,
			err: "user.conf [line 1 column 3]: Invalid value for enum option 'e': zebry"},
		{name: "yaml flags scalar", gen: Gen2, yaml: "f: pony", reason: bsterr.InvalidData,
			err: "Value of 'f' is not of the expected type 'list'"},
		{name: "yaml unknown", gen: Gen2, yaml: "zz: 1", reason: bsterr.InvalidData,
			err: "user.conf [line 1 column 4]: Unknown option 'zz' specified"},
		{name: "yaml then cli", gen: Gen1, yaml: "e: horsy", cli: [][2]string{{"e", "pony"}}, want: map[string]string{"e": "pony"}},
		{name: "arch not supported", gen: Gen1, cli: [][2]string{{"a", "i686"}}, reason: bsterr.InvalidData,
			err: "Invalid value for arch option 'a': i686"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newTestPool(t, tt.gen, testHost, valueDecls)
			if err != nil {
				t.Fatal(err)
			}
			if tt.yaml != "" {
				err = p.LoadYAMLValues(parseYAML(t, "user.conf", tt.yaml), nil)
			}
			if err == nil {
				err = p.LoadCLIValues(tt.cli, false)
			}
			if err == nil {
				err = p.Resolve()
			}
			if tt.reason != "" {
				expectErr(t, err, tt.reason, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if got, ok := p.Value(name); !ok || got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestCLIIgnoreUnknown(t *testing.T) {
	p, _ := newTestPool(t, Gen1, testHost, valueDecls)
	if err := p.LoadCLIValues([][2]string{{"zz", "1"}, {"e", "horsy"}}, true); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Value("e"); v != "horsy" {
		t.Errorf("e = %q", v)
	}
}

func TestTransform(t *testing.T) {
	expand := func(s string) string { return strings.ReplaceAll(s, "%{animal}", "horsy") }
	p, _ := newTestPool(t, Gen1, testHost, valueDecls)
	err := p.LoadYAMLValues(parseYAML(t, "junction.bst", "b: '%{animal}'\ne: '%{animal}'\nf: ['%{animal}']"), func(s string) string {
		if s == "%{animal}" && !strings.Contains(s, "horsy") {
			return expand(s)
		}
		return s
	})
	// The bool option goes through set_value: "horsy" is no boolean.
	expectErr(t, err, bsterr.InvalidData, "Invalid value for boolean option b: horsy")

	p, _ = newTestPool(t, Gen1, testHost, valueDecls)
	if err := p.LoadYAMLValues(parseYAML(t, "junction.bst", "e: '%{animal}'\nf: ['%{animal}', pony]"), expand); err != nil {
		t.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"e": "horsy", "f": "horsy,pony"} {
		if got, _ := p.Value(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestExportAndNames(t *testing.T) {
	p, _ := newTestPool(t, Gen2, Host{Arch: "amd64", OS: "Linux"}, valueDecls)
	if err := p.LoadCLIValues([][2]string{{"b", "true"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		t.Fatal(err)
	}
	vars := parseYAML(t, "project.conf", "prefix: /usr\nthe-enum: overridden")
	p.ExportVariables(vars)
	got := yamlnode.Plain(vars, false)
	want := map[string]any{"prefix": "/usr", "the-enum": "pony", "the-bool": "1", "the-flags": "pony,horsy", "the-arch": "x86_64"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("variables %v, want %v", got, want)
	}
	if vars.Keys[1] != "the-enum" {
		t.Errorf("an exported variable must replace the existing key in place: %v", vars.Keys)
	}
	if names := p.Names(); !reflect.DeepEqual(names, []string{"a", "b", "e", "f", "m"}) {
		t.Errorf("Names() = %v", names)
	}
	if p.Type("m") != TypeElementMask || p.Type("zz") != "" {
		t.Error("Type")
	}
	if _, ok := p.Value("zz"); ok {
		t.Error("Value of an unknown option")
	}
	// amd64 is x86-64, as the project's x86_64 is: the default is the
	// project's spelling.
	if ok, err := p.Evaluate(`a == "x86_64" and b and "pony" in f and m == []`); err != nil || !ok {
		t.Errorf("Evaluate = %v, %v", ok, err)
	}
}

func TestArchDefaults(t *testing.T) {
	decl := "a: {type: arch, description: d, values: [arm, aarch64, i686]}"
	tests := []struct {
		gen     Generation
		machine string
		want    string
		err     string
	}{
		{Gen1, "aarch64", "aarch64", ""},
		{Gen1, "armv8l", "", "Invalid value for arch option 'a': armv8l"},
		{Gen2, "armv8l", "aarch64", ""},
		{Gen2, "armv7l", "", "Unknown architecture: armv7l"},
		{Gen2, "i386", "i686", ""},
		{Gen2, "ARM", "arm", ""},
		{Gen2, "x86_64", "", "Invalid value for arch option 'a': x86-64"},
	}
	for _, tt := range tests {
		p, err := newTestPool(t, tt.gen, Host{Arch: tt.machine}, decl)
		if err == nil {
			err = p.Resolve()
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("gen %d %s: error %v, want %q", tt.gen, tt.machine, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("gen %d %s: %v", tt.gen, tt.machine, err)
			continue
		}
		if got, _ := p.Value("a"); got != tt.want {
			t.Errorf("gen %d %s: default %q, want %q", tt.gen, tt.machine, got, tt.want)
		}
	}
}

func TestCanonicalArch(t *testing.T) {
	for in, want := range map[string]string{"x86_64": "x86-64", "AMD64": "x86-64", "i586": "x86-32",
		"ppc64le": "power-isa-le", "riscv64": "rv64g", "sun4v": "sparc-v9", "loongarch64": "la64v100"} {
		if got, ok := CanonicalArch(in); !ok || got != want {
			t.Errorf("CanonicalArch(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := CanonicalArch("mips"); ok {
		t.Error("mips is not a BuildStream architecture")
	}
}

func TestOSOption(t *testing.T) {
	p, err := newTestPool(t, Gen2, Host{OS: "Darwin"}, "os: {type: os, description: d, values: [Linux, Darwin]}")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Resolve(); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Value("os"); v != "Darwin" {
		t.Errorf("os = %q", v)
	}
	p, _ = newTestPool(t, Gen2, Host{OS: "ULTRIX"}, "os: {type: os, description: d, values: [Linux, Darwin]}")
	expectErr(t, p.Resolve(), bsterr.InvalidData, "Invalid value for os option 'os': ULTRIX")
}
