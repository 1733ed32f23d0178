package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"
)

func main() {
	verbose := flag.Bool("v", false, "print the number of files and bytes and the time taken")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: yamlparse [-v] DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	paths, err := yamlFiles(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "yamlparse:", err)
		os.Exit(1)
	}
	bytes, failures := parseAll(paths, runtime.GOMAXPROCS(0))
	if *verbose {
		fmt.Printf("%d files, %d bytes, %d errors, %v\n", len(paths), bytes, failures, time.Since(start).Round(time.Microsecond))
	}
	if failures > 0 {
		os.Exit(1)
	}
}

// yamlFiles lists the YAML files below dirs, skipping hidden directories
// and not following symlinks.
func yamlFiles(dirs []string) ([]string, error) {
	var paths []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != dir && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && isYAML(d.Name()) {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func isYAML(name string) bool {
	switch filepath.Ext(name) {
	case ".bst", ".yml", ".yaml", ".inc", ".conf":
		return true
	}
	return false
}

// parseAll reads and parses paths with the given number of workers and
// returns the bytes read and the number of files that failed, each of which
// it reports on stderr.
func parseAll(paths []string, workers int) (int64, int) {
	var total atomic.Int64
	var failures atomic.Int32
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				n, err := parseFile(paths[i])
				total.Add(n)
				if err != nil {
					failures.Add(1)
					fmt.Fprintf(os.Stderr, "yamlparse: %s: %v\n", paths[i], err)
				}
			}
		})
	}
	wg.Wait()
	return total.Load(), int(failures.Load())
}

func parseFile(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc yaml.Node
	return int64(len(data)), yaml.Unmarshal(data, &doc)
}
