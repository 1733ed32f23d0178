package pysort

// gallopLeft returns the k in [0, len(a)] such that a[k-1] < key <= a[k]
// (key goes before any equal elements), for sorted non-empty a, starting
// the search at hint. It first probes exponentially from hint (offsets 1,
// 3, 7, 15, ...) to bracket the answer, then bisects the bracket. With an
// inconsistent less the answer is whatever that probe sequence yields.
func (ms *mergeState[T]) gallopLeft(key T, a []T, hint int) int {
	less := ms.less
	n := len(a)
	lastofs, ofs := 0, 1
	if less(a[hint], key) {
		// Gallop right until a[hint+lastofs] < key <= a[hint+ofs].
		maxofs := n - hint
		for ofs < maxofs {
			if !less(a[hint+ofs], key) {
				break
			}
			lastofs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxofs)
		lastofs += hint
		ofs += hint
	} else {
		// Gallop left until a[hint-ofs] < key <= a[hint-lastofs].
		maxofs := hint + 1
		for ofs < maxofs {
			if less(a[hint-ofs], key) {
				break
			}
			lastofs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxofs)
		lastofs, ofs = hint-ofs, hint-lastofs
	}
	// Now a[lastofs] < key <= a[ofs]; bisect (lastofs, ofs].
	lastofs++
	for lastofs < ofs {
		m := lastofs + (ofs-lastofs)>>1
		if less(a[m], key) {
			lastofs = m + 1
		} else {
			ofs = m
		}
	}
	return ofs
}

// gallopRight is gallopLeft's mirror: it returns the k in [0, len(a)] such
// that a[k-1] <= key < a[k] (key goes after any equal elements). It asks
// less(key, x) where gallopLeft asks less(x, key).
func (ms *mergeState[T]) gallopRight(key T, a []T, hint int) int {
	less := ms.less
	n := len(a)
	lastofs, ofs := 0, 1
	if less(key, a[hint]) {
		// Gallop left until a[hint-ofs] <= key < a[hint-lastofs].
		maxofs := hint + 1
		for ofs < maxofs {
			if !less(key, a[hint-ofs]) {
				break
			}
			lastofs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxofs)
		lastofs, ofs = hint-ofs, hint-lastofs
	} else {
		// Gallop right until a[hint+lastofs] <= key < a[hint+ofs].
		maxofs := n - hint
		for ofs < maxofs {
			if less(key, a[hint+ofs]) {
				break
			}
			lastofs = ofs
			ofs = ofs<<1 + 1
		}
		ofs = min(ofs, maxofs)
		lastofs += hint
		ofs += hint
	}
	// Now a[lastofs] <= key < a[ofs]; bisect (lastofs, ofs].
	lastofs++
	for lastofs < ofs {
		m := lastofs + (ofs-lastofs)>>1
		if less(key, a[m]) {
			ofs = m
		} else {
			lastofs = m + 1
		}
	}
	return ofs
}
