package pysort

// minGallopInit is CPython's MIN_GALLOP: the initial (and reset) threshold of
// consecutive wins by one run before a merge switches to galloping, and the
// win length that keeps it galloping.
const minGallopInit = 7

// maxPending bounds the run stack. Powersort keeps run powers strictly
// increasing up the stack and a power is at most the bit length of the list
// size, so 64 entries suffice for any slice.
const maxPending = 64

// maxMinrun is the list length from which minrun stops being the whole list;
// merge_compute_minrun halves n while it is at least this.
const maxMinrun = 64

// Sort sorts s in place exactly as CPython 3.11/3.12's
// list.sort(key=functools.cmp_to_key(cmp)) would, where less(a, b) reports
// cmp(a, b) < 0. less is the only question ever asked, with the same
// arguments and in the same order as CPython asks them, so the result is
// identical even when less is not a strict weak order. For a consistent less
// the sort is stable.
//
// If less panics, the panic propagates and s is left holding some
// permutation of its original elements (nothing lost or duplicated), as
// CPython guarantees when a comparison raises.
func Sort[T any](s []T, less func(a, b T) bool) {
	n := len(s)
	if n < 2 {
		return
	}
	ms := mergeState[T]{
		s:         s,
		less:      less,
		minGallop: minGallopInit,
	}
	minrun := computeMinrun(n)
	lo := 0
	remaining := n
	for remaining > 0 {
		r, descending := ms.countRun(lo, lo+remaining)
		if descending {
			reverse(s[lo : lo+r])
		}
		if r < minrun {
			force := min(remaining, minrun)
			ms.binarySort(lo, lo+force, lo+r)
			r = force
		}
		ms.foundNewRun(r)
		ms.pending[ms.n] = run{base: lo, len: r}
		ms.n++
		lo += r
		remaining -= r
	}
	ms.forceCollapse()
}

// run is one entry of the pending-runs stack: s[base:base+len] is sorted.
// power is the powersort node level of the boundary between this run and
// the next one; it is set when the next run is found.
type run struct {
	base, len int
	power     int
}

// mergeState carries what CPython's MergeState does: the list, the
// comparison, the adaptive gallop threshold, the run stack and scratch
// space for merges.
type mergeState[T any] struct {
	s         []T
	less      func(a, b T) bool
	minGallop int
	pending   [maxPending]run
	n         int // number of pending runs
	tmp       []T
}

// computeMinrun returns n when n < 64; otherwise a value in [32, 64] taken
// from the top six bits of n, plus one if any lower bit is set.
func computeMinrun(n int) int {
	r := 0
	for n >= maxMinrun {
		r |= n & 1
		n >>= 1
	}
	return n + r
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// countRun returns the length of the run starting at lo within s[lo:hi]
// (lo < hi) and whether it is strictly descending. An ascending run is the
// longest prefix with !(s[i] < s[i-1]); a descending run is the longest
// prefix with s[i] < s[i-1] for every step, the first step deciding which.
func (ms *mergeState[T]) countRun(lo, hi int) (n int, descending bool) {
	s, less := ms.s, ms.less
	i := lo + 1
	if i == hi {
		return 1, false
	}
	n = 2
	if less(s[i], s[i-1]) {
		for i++; i < hi; i, n = i+1, n+1 {
			if !less(s[i], s[i-1]) {
				break
			}
		}
		return n, true
	}
	for i++; i < hi; i, n = i+1, n+1 {
		if less(s[i], s[i-1]) {
			break
		}
	}
	return n, false
}

// binarySort sorts s[lo:hi] by binary insertion, given that s[lo:start] is
// already sorted. Each new element goes after every element it is not less
// than along its bisection path, which keeps the sort stable.
func (ms *mergeState[T]) binarySort(lo, hi, start int) {
	s, less := ms.s, ms.less
	if lo == start { // Sort always passes start > lo; kept as in CPython
		start++
	}
	for ; start < hi; start++ {
		l, r := lo, start
		pivot := s[r]
		for {
			p := l + (r-l)>>1
			if less(pivot, s[p]) {
				r = p
			} else {
				l = p + 1
			}
			if l >= r {
				break
			}
		}
		copy(s[l+1:start+1], s[l:start])
		s[l] = pivot
	}
}

// powerloop returns the powersort "power" of the boundary between the run
// s[s1:s1+n1] and the run of length n2 that follows it in a list of length
// n: the depth at which the binary expansions of the two runs' midpoints
// (as fractions of n) first differ.
func powerloop(s1, n1, n2, n int) int {
	result := 0
	a := 2*s1 + n1
	b := a + n1 + n2
	for {
		result++
		if a >= n {
			a -= n
			b -= n
		} else if b >= n {
			break
		}
		a <<= 1
		b <<= 1
	}
	return result
}

// foundNewRun applies the powersort merge policy before a new run of length
// n2 is pushed: runs deeper in the stack whose power exceeds the new
// boundary's power are merged first.
func (ms *mergeState[T]) foundNewRun(n2 int) {
	if ms.n == 0 {
		return
	}
	top := ms.pending[ms.n-1]
	power := powerloop(top.base, top.len, n2, len(ms.s))
	for ms.n > 1 && ms.pending[ms.n-2].power > power {
		ms.mergeAt(ms.n - 2)
	}
	ms.pending[ms.n-1].power = power
}

// forceCollapse merges every pending run into one, always merging the
// smaller of the two candidate pairs at the top of the stack first.
func (ms *mergeState[T]) forceCollapse() {
	for ms.n > 1 {
		n := ms.n - 2
		if n > 0 && ms.pending[n-1].len < ms.pending[n+1].len {
			n--
		}
		ms.mergeAt(n)
	}
}
