package bsterr

import "fmt"

func newErr(d Domain, r Reason, prov *Provenance, format string, args []any) *Error {
	var p *Provenance
	if prov != nil && prov.File != "" {
		c := *prov
		p = &c
	}
	return &Error{Domain: d, Reason: r, Prov: p, Msg: fmt.Sprintf(format, args...)}
}

// Load reports a problem loading the project or its elements.
func Load(r Reason, prov *Provenance, format string, args ...any) *Error {
	return newErr(DomainLoad, r, prov, format, args)
}

// Plugin reports a problem in a plugin's configuration.
func Plugin(r Reason, prov *Provenance, format string, args ...any) *Error {
	return newErr(DomainPlugin, r, prov, format, args)
}

// Element reports a problem with an element at run time.
func Element(r Reason, prov *Provenance, format string, args ...any) *Error {
	return newErr(DomainElement, r, prov, format, args)
}

// Source reports a problem with a source.
func Source(r Reason, prov *Provenance, format string, args ...any) *Error {
	return newErr(DomainSource, r, prov, format, args)
}

// App reports a problem with the command line or the user's environment.
func App(r Reason, format string, args ...any) *Error {
	return newErr(DomainApp, r, nil, format, args)
}

// Stream reports a problem while carrying out a command.
func Stream(r Reason, format string, args ...any) *Error {
	return newErr(DomainStream, r, nil, format, args)
}

// WithDetail returns e with Detail set, for chaining at construction.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// Wrap returns e wrapping cause, for chaining at construction.
func (e *Error) Wrap(cause error) *Error {
	e.Err = cause
	return e
}
