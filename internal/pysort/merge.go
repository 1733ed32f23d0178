package pysort

// scratch returns a temporary buffer of length need.
func (ms *mergeState[T]) scratch(need int) []T {
	if cap(ms.tmp) < need {
		// No run needs more than half the list (merges copy the shorter
		// side), so one allocation normally suffices.
		ms.tmp = make([]T, max(need, (len(ms.s)+1)/2))
	}
	return ms.tmp[:need]
}

// mergeAt merges the pending runs i and i+1, where i is the second or third
// run from the top of the stack.
func (ms *mergeState[T]) mergeAt(i int) {
	p := &ms.pending
	ssa, na := p[i].base, p[i].len
	ssb, nb := p[i+1].base, p[i+1].len

	p[i].len = na + nb
	if i == ms.n-3 {
		p[i+1] = p[i+2]
	}
	ms.n--

	s := ms.s
	// Elements of a that are <= b's first element are already in place.
	k := ms.gallopRight(s[ssb], s[ssa:ssa+na], 0)
	ssa += k
	na -= k
	if na == 0 {
		return
	}
	// Elements of b that are >= a's last element are already in place.
	nb = ms.gallopLeft(s[ssa+na-1], s[ssb:ssb+nb], nb-1)
	if nb <= 0 {
		return
	}
	if na <= nb {
		ms.mergeLo(ssa, na, ssb, nb)
	} else {
		ms.mergeHi(ssa, na, ssb, nb)
	}
}

// mergeLo merges s[ssa:ssa+na] with the adjacent s[ssb:ssb+nb] (na, nb > 0,
// na <= nb preferred), front to back, with a copied to scratch space. The
// first element of b is known to go first and the last of a to go last.
func (ms *mergeState[T]) mergeLo(ssa, na, ssb, nb int) {
	s, less := ms.s, ms.less
	a := ms.scratch(na)
	copy(a, s[ssa:ssa+na])
	dest, pa, pb := ssa, 0, ssb

	// Whatever happens (including a panicking less), the part of a not yet
	// merged goes back into the hole, so s stays a permutation.
	tail := func() {
		if na > 0 {
			copy(s[dest:dest+na], a[pa:pa+na])
		}
	}
	defer tail()

	s[dest] = s[pb]
	dest++
	pb++
	nb--
	if nb == 0 {
		return
	}
	if na == 1 {
		goto copyB
	}

	for minGallop := ms.minGallop; ; {
		acount, bcount := 0, 0 // consecutive wins of a and of b
		for {
			if less(s[pb], a[pa]) {
				s[dest] = s[pb]
				dest++
				pb++
				bcount++
				acount = 0
				nb--
				if nb == 0 {
					return
				}
				if bcount >= minGallop {
					break
				}
			} else {
				s[dest] = a[pa]
				dest++
				pa++
				acount++
				bcount = 0
				na--
				if na == 1 {
					goto copyB
				}
				if acount >= minGallop {
					break
				}
			}
		}

		// One side keeps winning: gallop until neither wins by much.
		minGallop++
		for {
			if minGallop > 1 {
				minGallop--
			}
			ms.minGallop = minGallop

			k := ms.gallopRight(s[pb], a[pa:pa+na], 0)
			acount = k
			if k > 0 {
				copy(s[dest:dest+k], a[pa:pa+k])
				dest += k
				pa += k
				na -= k
				if na == 1 {
					goto copyB
				}
				// Only an inconsistent less can empty a here.
				if na == 0 {
					return
				}
			}
			s[dest] = s[pb]
			dest++
			pb++
			nb--
			if nb == 0 {
				return
			}

			k = ms.gallopLeft(a[pa], s[pb:pb+nb], 0)
			bcount = k
			if k > 0 {
				copy(s[dest:dest+k], s[pb:pb+k])
				dest += k
				pb += k
				nb -= k
				if nb == 0 {
					return
				}
			}
			s[dest] = a[pa]
			dest++
			pa++
			na--
			if na == 1 {
				goto copyB
			}
			if acount < minGallopInit && bcount < minGallopInit {
				break
			}
		}
		minGallop++ // leaving gallop mode costs a higher threshold
		ms.minGallop = minGallop
	}

copyB:
	// The rest of b precedes a's last element.
	copy(s[dest:dest+nb], s[pb:pb+nb])
	s[dest+nb] = a[pa]
	na = 0
}

// mergeHi is mergeLo's mirror for na >= nb: b is copied to scratch space and
// the merge runs back to front.
func (ms *mergeState[T]) mergeHi(ssa, na, ssb, nb int) {
	s, less := ms.s, ms.less
	b := ms.scratch(nb)
	copy(b, s[ssb:ssb+nb])
	basea := ssa
	dest, pa, pb := ssb+nb-1, ssa+na-1, nb-1

	// The unmerged part of b is always b[:nb]; put it back in the hole
	// ending at dest, even when less panics.
	tail := func() {
		if nb > 0 {
			copy(s[dest-(nb-1):dest+1], b[:nb])
		}
	}
	defer tail()

	s[dest] = s[pa]
	dest--
	pa--
	na--
	if na == 0 { // unreachable from mergeAt (na > nb >= 1), kept as in CPython
		return
	}
	if nb == 1 {
		goto copyA
	}

	for minGallop := ms.minGallop; ; {
		acount, bcount := 0, 0
		for {
			if less(b[pb], s[pa]) {
				s[dest] = s[pa]
				dest--
				pa--
				acount++
				bcount = 0
				na--
				if na == 0 {
					return
				}
				if acount >= minGallop {
					break
				}
			} else {
				s[dest] = b[pb]
				dest--
				pb--
				bcount++
				acount = 0
				nb--
				if nb == 1 {
					goto copyA
				}
				if bcount >= minGallop {
					break
				}
			}
		}

		minGallop++
		for {
			if minGallop > 1 {
				minGallop--
			}
			ms.minGallop = minGallop

			k := na - ms.gallopRight(b[pb], s[basea:basea+na], na-1)
			acount = k
			if k > 0 {
				dest -= k
				pa -= k
				copy(s[dest+1:dest+1+k], s[pa+1:pa+1+k])
				na -= k
				if na == 0 {
					return
				}
			}
			s[dest] = b[pb]
			dest--
			pb--
			nb--
			if nb == 1 {
				goto copyA
			}

			k = nb - ms.gallopLeft(s[pa], b[:nb], nb-1)
			bcount = k
			if k > 0 {
				dest -= k
				pb -= k
				copy(s[dest+1:dest+1+k], b[pb+1:pb+1+k])
				nb -= k
				if nb == 1 {
					goto copyA
				}
				// Only an inconsistent less can empty b here.
				if nb == 0 {
					return
				}
			}
			s[dest] = s[pa]
			dest--
			pa--
			na--
			if na == 0 {
				return
			}
			if acount < minGallopInit && bcount < minGallopInit {
				break
			}
		}
		minGallop++
		ms.minGallop = minGallop
	}

copyA:
	// The rest of a follows b's first element.
	dest -= na
	pa -= na
	copy(s[dest+1:dest+1+na], s[pa+1:pa+1+na])
	s[dest] = b[pb]
	nb = 0
}
