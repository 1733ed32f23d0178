// Package pysort is a faithful port of CPython's list sort (the adaptive,
// stable natural merge sort of Objects/listobject.c, described in
// Objects/listsort.txt) as shipped in CPython 3.11 and 3.12.
//
// BuildStream orders each element's dependency list with
// list.sort(key=cmp_to_key(cmp)) where cmp is not a total order; BuildStream 2
// even vendors CPython 3.12's sort for that reason. With such a comparator the
// result depends on exactly which pairs are compared and in which order, and
// that result feeds cache keys. Sort therefore performs the same sequence of
// "<" queries and the same element moves as CPython: the same run detection
// (count_run), minrun, binary insertion (binarysort), powersort merge policy
// (powerloop, found_new_run, merge_force_collapse), merge_at trimming,
// merge_lo/merge_hi with galloping (gallop_left/gallop_right) and the
// adaptive min_gallop with MIN_GALLOP = 7.
//
// Versions: the sort algorithm is identical in CPython 3.11 and 3.12 (both
// use powersort, introduced in 3.11); the golden tests were produced with
// 3.11 and verified against 3.12. CPython 3.13 changed count_run (descending
// runs may contain equal neighbours) and binarysort, so it orders some
// inconsistent inputs differently; 3.10 and earlier used the classic timsort
// merge_collapse. Neither is implemented here.
//
// pysort is a leaf: it imports only the standard library.
package pysort
