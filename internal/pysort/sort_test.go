package pysort

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"testing"
)

// goldenCase is one case of testdata/golden.json, written by
// testdata/gen_golden.py from CPython's list.sort(key=cmp_to_key(cmp)).
type goldenCase struct {
	Name  string `json:"name"`
	IDs   []int  `json:"ids"`
	M     int    `json:"m"`
	Table string `json:"table"`
	Out   []int  `json:"out"`
	NCmp  int    `json:"ncmp"`
	Trace string `json:"trace"`
}

type goldenFile struct {
	Python string       `json:"python"`
	Cases  []goldenCase `json:"cases"`
}

// cmp is the case's three-way comparator on items (indexes into IDs).
func (c *goldenCase) cmp(x, y int) int {
	a, b := c.IDs[x], c.IDs[y]
	if c.Table == "" {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	switch c.Table[a*c.M+b] {
	case '-':
		return -1
	case '+':
		return 1
	}
	return 0
}

// replay sorts the case's items with Sort, recording the comparison trace
// in the generator's format.
func (c *goldenCase) replay() (out []int, ncmp int, trace string) {
	out = make([]int, len(c.IDs))
	for i := range out {
		out[i] = i
	}
	h := sha256.New()
	var buf []byte
	Sort(out, func(x, y int) bool {
		ncmp++
		buf = strconv.AppendInt(buf[:0], int64(x), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(y), 10)
		buf = append(buf, ';')
		h.Write(buf)
		return c.cmp(x, y) < 0
	})
	return out, ncmp, hex.EncodeToString(h.Sum(nil))
}

func loadGolden(t testing.TB) goldenFile {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("golden.json has no cases")
	}
	return g
}

// TestGolden replays every CPython case: same output order, same number of
// comparisons and the same sequence of compared pairs.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	failed := 0
	for i := range g.Cases {
		c := &g.Cases[i]
		out, ncmp, trace := c.replay()
		if !slices.Equal(out, c.Out) || ncmp != c.NCmp || trace != c.Trace {
			failed++
			if failed <= 10 {
				t.Errorf("%s: got out=%v ncmp=%d trace=%.12s, CPython %s gave out=%v ncmp=%d trace=%.12s",
					c.Name, out, ncmp, trace, g.Python, c.Out, c.NCmp, c.Trace)
			}
		}
	}
	t.Logf("%d/%d CPython %s cases match", len(g.Cases)-failed, len(g.Cases), g.Python)
}

// TestGoldenPython replays the golden file on the python3 in PATH, when it
// is a CPython whose sort this package reproduces (3.11 or 3.12).
func TestGoldenPython(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 in PATH")
	}
	ver, err := exec.Command(py, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])").Output()
	if err != nil {
		t.Skipf("python3: %v", err)
	}
	if !regexp.MustCompile(`^cpython 3 1[12]\n$`).Match(ver) {
		t.Skipf("python3 is %q, not CPython 3.11 or 3.12", ver)
	}
	out, err := exec.Command(py, "testdata/gen_golden.py", "--verify", "testdata/golden.json").CombinedOutput()
	if err != nil {
		t.Fatalf("gen_golden.py --verify: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func TestComputeMinrun(t *testing.T) {
	tests := []struct{ n, want int }{
		{0, 0}, {1, 1}, {63, 63}, {64, 32}, {65, 33}, {127, 64}, {128, 32},
		{129, 33}, {256, 32}, {257, 33}, {300, 38}, {2112, 33}, {1 << 20, 32},
		{1<<20 + 1, 33},
	}
	for _, tt := range tests {
		if got := computeMinrun(tt.n); got != tt.want {
			t.Errorf("computeMinrun(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestPowerloop(t *testing.T) {
	// Values follow from the definition: the first bit at which the
	// binary fractions (s1+n1/2)/n and (s1+n1+n2/2)/n differ.
	tests := []struct{ s1, n1, n2, n, want int }{
		{0, 32, 32, 64, 1},
		{0, 16, 16, 64, 2},
		{32, 16, 16, 64, 2},
		{0, 8, 8, 64, 3},
		{48, 8, 8, 64, 3},
		{0, 1, 1, 2, 1},
		{0, 50, 250, 300, 1},
		{0, 40, 40, 300, 3},
	}
	for _, tt := range tests {
		if got := powerloop(tt.s1, tt.n1, tt.n2, tt.n); got != tt.want {
			t.Errorf("powerloop(%d, %d, %d, %d) = %d, want %d", tt.s1, tt.n1, tt.n2, tt.n, got, tt.want)
		}
	}
}

func TestSortTable(t *testing.T) {
	less := func(a, b int) bool { return a < b }
	tests := []struct {
		name string
		in   []int
		want []int
	}{
		{"nil", nil, nil},
		{"one", []int{1}, []int{1}},
		{"two", []int{2, 1}, []int{1, 2}},
		{"sorted", []int{1, 2, 3, 4}, []int{1, 2, 3, 4}},
		{"reversed", []int{4, 3, 2, 1}, []int{1, 2, 3, 4}},
		{"dups", []int{3, 1, 3, 1, 2}, []int{1, 1, 2, 3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Clone(tt.in)
			Sort(got, less)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Sort(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestStableLarge checks stability and agreement with sort.SliceStable on
// inputs long enough for many merges and galloping.
func TestStableLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1000, 4096, 20011} {
		for _, shape := range []string{"random", "runs", "few"} {
			type item struct{ key, pos int }
			in := make([]item, n)
			for i := range in {
				switch shape {
				case "random":
					in[i].key = r.IntN(n)
				case "runs":
					in[i].key = (i % 977) + r.IntN(3)
				case "few":
					in[i].key = r.IntN(4)
				}
				in[i].pos = i
			}
			got := slices.Clone(in)
			want := slices.Clone(in)
			Sort(got, func(a, b item) bool { return a.key < b.key })
			sort.SliceStable(want, func(i, j int) bool { return want[i].key < want[j].key })
			if !slices.Equal(got, want) {
				t.Errorf("n=%d %s: Sort differs from sort.SliceStable", n, shape)
			}
		}
	}
}

// TestPanicKeepsPermutation checks that a panicking less leaves a
// permutation behind, as CPython does when a comparison raises.
func TestPanicKeepsPermutation(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 64 + r.IntN(400)
		in := make([]int, n)
		for i := range in {
			in[i] = r.IntN(50)
		}
		s := slices.Clone(in)
		limit := r.IntN(n * 8)
		calls := 0
		func() {
			defer func() { _ = recover() }()
			Sort(s, func(a, b int) bool {
				calls++
				if calls == limit {
					panic("boom")
				}
				return a < b
			})
		}()
		a, b := slices.Clone(in), slices.Clone(s)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Fatalf("trial %d: after panic at call %d, s is not a permutation of the input", trial, limit)
		}
	}
}

func FuzzSort(f *testing.F) {
	f.Add([]byte{}, []byte{}, false)
	f.Add([]byte{3, 1, 2}, []byte{}, false)
	f.Add([]byte("the quick brown fox jumps over the lazy dog, repeatedly, over and over and over again"), []byte{7, 1, 200}, true)
	f.Fuzz(func(t *testing.T, data, table []byte, inconsistent bool) {
		type item struct {
			key byte
			pos int
		}
		in := make([]item, len(data))
		for i, b := range data {
			in[i] = item{b, i}
		}
		less := func(a, b item) bool { return a.key < b.key }
		if inconsistent && len(table) > 0 {
			// An arbitrary relation on keys, from the fuzzer's table.
			less = func(a, b item) bool {
				h := int(a.key)*257 + int(b.key)
				return table[h%len(table)]&(1<<(h%7)) != 0
			}
		}
		got := slices.Clone(in)
		Sort(got, less)

		seen := make([]bool, len(in))
		for _, it := range got {
			if it.pos < 0 || it.pos >= len(in) || seen[it.pos] || in[it.pos] != it {
				t.Fatalf("result is not a permutation of the input: %v", got)
			}
			seen[it.pos] = true
		}
		if inconsistent && len(table) > 0 {
			return
		}
		want := slices.Clone(in)
		sort.SliceStable(want, func(i, j int) bool { return want[i].key < want[j].key })
		if !slices.Equal(got, want) {
			t.Fatalf("Sort = %v, sort.SliceStable = %v", got, want)
		}
	})
}

func BenchmarkSort(b *testing.B) {
	for _, n := range []int{8, 64, 300, 10000} {
		for _, shape := range []string{"random", "sorted", "runs"} {
			r := rand.New(rand.NewPCG(uint64(n), 5))
			in := make([]int, n)
			for i := range in {
				switch shape {
				case "random":
					in[i] = r.IntN(n)
				case "sorted":
					in[i] = i
				case "runs":
					in[i] = i%(n/4+1) + r.IntN(2)
				}
			}
			s := make([]int, n)
			less := func(a, b int) bool { return a < b }
			b.Run(fmt.Sprintf("%s/n=%d", shape, n), func(b *testing.B) {
				for b.Loop() {
					copy(s, in)
					Sort(s, less)
				}
			})
		}
	}
}

// BenchmarkGolden sorts every golden case once per iteration, with the
// comparators BuildStream-like tables give.
func BenchmarkGolden(b *testing.B) {
	g := loadGolden(b)
	bufs := make([][]int, len(g.Cases))
	for i := range g.Cases {
		bufs[i] = make([]int, len(g.Cases[i].IDs))
	}
	for b.Loop() {
		for i := range g.Cases {
			c := &g.Cases[i]
			s := bufs[i]
			for j := range s {
				s[j] = j
			}
			Sort(s, func(x, y int) bool { return c.cmp(x, y) < 0 })
		}
	}
}
