package yamlnode

// FastParse and ParseYAML expose Parse's two paths to the differential
// tests.
var (
	FastParse = fastParse
	ParseYAML = parseYAML
)

// FastParseStop returns the line (1-based) at which the fast parser gave
// up on data, or 0 if it did not.
func FastParseStop(data []byte) int {
	p := fastParser{file: "x", line: 1}
	if _, ok := p.parse(data); ok {
		return 0
	}
	return p.line
}
