package element

import (
	"math/rand"
	"testing"
)

// TestBuildDependenciesMatchesWalk checks the memoized closures against
// BuildStream's walk (Dependencies with ScopeBuild) on random DAGs.
func TestBuildDependenciesMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// Two factories whose sequence numbers collide: elemSet must not
	// confuse their elements.
	facs := []*Factory{{}, {}}
	for round := 0; round < 200; round++ {
		n := 2 + rng.Intn(80) // closures above and below the linear-scan size
		elems := make([]*Element, n)
		for i := range elems {
			elems[i] = &Element{Name: string(rune('a' + i%26))}
			if round%2 == 1 {
				// Sequence numbers (sparse, to grow the bitset): the
				// bitset path of elemSet; otherwise its map path.
				elems[i].seq = int32(1 + i/2*97)
				elems[i].fac = facs[i%len(facs)]
			}
			for j := 0; j < i; j++ {
				switch rng.Intn(6) {
				case 0:
					elems[i].BuildDeps = append(elems[i].BuildDeps, elems[j])
				case 1:
					elems[i].RuntimeDeps = append(elems[i].RuntimeDeps, elems[j])
				case 2:
					elems[i].BuildDeps = append(elems[i].BuildDeps, elems[j])
					elems[i].RuntimeDeps = append(elems[i].RuntimeDeps, elems[j])
				}
			}
			rng.Shuffle(len(elems[i].BuildDeps), func(a, b int) {
				elems[i].BuildDeps[a], elems[i].BuildDeps[b] = elems[i].BuildDeps[b], elems[i].BuildDeps[a]
			})
		}
		for _, e := range elems {
			want := Dependencies([]*Element{e}, ScopeBuild)
			got := e.BuildDependencies()
			if len(got) != len(want) {
				t.Fatalf("round %d: %d elements, walk gives %d", round, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("round %d: order differs at %d", round, i)
				}
			}
		}
	}
}
