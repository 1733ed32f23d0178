// Command yamlparse is the "parse only" baseline of scripts/bench.sh: it
// reads every YAML file of a project (.bst, .yml, .yaml, .inc and .conf)
// and parses each into a go.yaml.in/yaml/v3 node tree, in parallel across
// all cores, and does nothing else. `bst show` cannot be faster than this,
// so its time is the floor the bench compares bst with.
//
// Usage:
//
//	yamlparse [-v] DIR...
//
// It exits 1 if a file does not parse. It imports only the standard library
// and go.yaml.in/yaml/v3.
package main
