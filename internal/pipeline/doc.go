// Package pipeline holds pure graph functions over elements: dependency
// closures in BuildStream's staging order, selection by --deps, --except.
//
// It imports only element and bsterr.
package pipeline
