package bsterr

import (
	"errors"
	"strings"
)

// Domain is the broad area an error comes from (BuildStream's ErrorDomain).
type Domain string

// Domains, named as BuildStream names them.
const (
	DomainLoad     Domain = "LOAD"
	DomainPlugin   Domain = "PLUGIN"
	DomainSource   Domain = "SOURCE"
	DomainElement  Domain = "ELEMENT"
	DomainApp      Domain = "APP"
	DomainStream   Domain = "STREAM"
	DomainPipeline Domain = "PIPELINE"
	DomainSandbox  Domain = "SANDBOX"
	DomainCAS      Domain = "CAS"
	DomainArtifact Domain = "ARTIFACT"
	DomainProg     Domain = "PROG_NOT_FOUND"
)

// Reason is the precise cause within a domain (BuildStream's LoadErrorReason
// and friends). Tests compare reasons, never message text.
type Reason string

// Load error reasons, as in BuildStream's LoadErrorReason.
const (
	MissingFile                   Reason = "MISSING_FILE"
	InvalidYAML                   Reason = "INVALID_YAML"
	InvalidData                   Reason = "INVALID_DATA"
	IllegalComposite              Reason = "ILLEGAL_COMPOSITE"
	CircularDependency            Reason = "CIRCULAR_DEPENDENCY"
	UnresolvedVariable            Reason = "UNRESOLVED_VARIABLE"
	UnsupportedProject            Reason = "UNSUPPORTED_PROJECT"
	UnsupportedPlugin             Reason = "UNSUPPORTED_PLUGIN"
	ExpressionFailed              Reason = "EXPRESSION_FAILED"
	UserAssertion                 Reason = "USER_ASSERTION"
	TrailingListDirective         Reason = "TRAILING_LIST_DIRECTIVE"
	ConflictingJunction           Reason = "CONFLICTING_JUNCTION"
	InvalidJunction               Reason = "INVALID_JUNCTION"
	SubprojectInconsistent        Reason = "SUBPROJECT_INCONSISTENT"
	SubprojectFetchNeeded         Reason = "SUBPROJECT_FETCH_NEEDED"
	InvalidSymbolName             Reason = "INVALID_SYMBOL_NAME"
	MissingProjectConf            Reason = "MISSING_PROJECT_CONF"
	LoadingDirectory              Reason = "LOADING_DIRECTORY"
	ProjectPathInvalid            Reason = "PROJ_PATH_INVALID"
	ProjectPathInvalidKind        Reason = "PROJ_PATH_INVALID_KIND"
	RecursiveInclude              Reason = "RECURSIVE_INCLUDE"
	CircularReferenceVariable     Reason = "CIRCULAR_REFERENCE_VARIABLE"
	ProtectedVariableRedefined    Reason = "PROTECTED_VARIABLE_REDEFINED"
	InvalidDependencyConfig       Reason = "INVALID_DEPENDENCY_CONFIG"
	LinkForbiddenDependencies     Reason = "LINK_FORBIDDEN_DEPENDENCIES"
	CircularReference             Reason = "CIRCULAR_REFERENCE"
	BadElementSuffix              Reason = "BAD_ELEMENT_SUFFIX"
	BadCharactersInName           Reason = "BAD_CHARACTERS_IN_NAME"
	MissingPluginOrigin           Reason = "MISSING_PLUGIN_ORIGIN"
	InvalidDirectory              Reason = "INVALID_DIRECTORY"
	DuplicateKey                  Reason = "DUPLICATE_KEY"
	UnsupportedFeature            Reason = "UNSUPPORTED_FEATURE"
	MissingDependency             Reason = "MISSING_DEPENDENCY"
	ProtectedVariable             Reason = "PROTECTED_VARIABLE"
	NotImplemented                Reason = "NOT_IMPLEMENTED"
	InvalidElementName            Reason = "INVALID_ELEMENT_NAME"
	ElementMaskUnknown            Reason = "ELEMENT_MASK_UNKNOWN"
	DependencyStrictOnRuntimeOnly Reason = "DEPENDENCY_STRICT_ON_RUNTIME_ONLY"
	InvalidProvenanceAttribute    Reason = "INVALID_PROVENANCE_ATTRIBUTE"
	Unknown                       Reason = "UNKNOWN"
)

// Error is bst's one error type.
type Error struct {
	Domain Domain
	Reason Reason
	Msg    string      // one line, without provenance
	Detail string      // optional further lines
	Prov   *Provenance // where in the user's files, if known
	// Temporary marks errors worth retrying (network, remote busy).
	Temporary bool
	Err       error // wrapped cause, if any
}

// Error renders "file [line L column C]: message", the shape BuildStream uses.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Prov != nil && e.Prov.File != "" {
		b.WriteString(e.Prov.String())
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of the first *Error in err's chain, or "".
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// DomainOf returns the Domain of the first *Error in err's chain, or "".
func DomainOf(err error) Domain {
	var e *Error
	if errors.As(err, &e) {
		return e.Domain
	}
	return ""
}
