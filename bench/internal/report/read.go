package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// A File is one results file in the Go benchmark format, as Read found it.
type File struct {
	// Name is the file's base name ("jwt.txt").
	Name string
	// Config is every configuration key of the file ("goos", "cpu",
	// "nproc", …) in the order first seen, with each distinct value.
	Config []Config
	// Benches are the file's benchmarks in the order first seen; the
	// samples of one name, wherever they appear, are one Bench.
	Benches []*Bench
	// Units are every unit of the file in the order first seen, tidied as
	// benchstat tidies them ("ns/op" is "sec/op", "p99-ns" is "p99-sec").
	Units []string
	// Errors are the lines the reader could not parse ("file:line: …").
	Errors []string
}

// A Config is one configuration key of a file and its distinct values.
type Config struct {
	Key    string
	Values []string
}

// A Bench is one benchmark name and its samples.
type Bench struct {
	// Name is the full name without the GOMAXPROCS suffix
	// ("BenchmarkJWT/fw=gin/mw=usual").
	Name string
	// Base is the benchmark function ("BenchmarkJWT").
	Base string
	// Parts are the sub-benchmark parts of the name in order; a part
	// without "=" has the Key "".
	Parts []Part
	// Samples holds the values of each unit, one per result line.
	Samples map[string][]float64
}

// A Part is one key=value part of a sub-benchmark name.
type Part struct {
	Key, Value string
}

// String is the part as it is in the name ("fw=gin", or the value alone
// when there is no key).
func (p Part) String() string {
	if p.Key == "" {
		return p.Value
	}
	return p.Key + "=" + p.Value
}

// Get returns the value of key in the bench's name and whether it is there.
func (b *Bench) Get(key string) (string, bool) {
	for _, p := range b.Parts {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// ReadFile reads the results file at path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, filepath.Base(path))
}

// Read reads results in the Go benchmark format from r; name is the
// file's name for the File and its error messages. Lines that are not
// results or configuration are ignored, as benchstat ignores them;
// malformed result lines are listed in File.Errors.
func Read(r io.Reader, name string) (*File, error) {
	file := &File{Name: name}
	byName := map[string]*Bench{}
	rd := benchfmt.NewReader(r, name)
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			file.Errors = append(file.Errors, rec.Error())
		case *benchfmt.Result:
			for _, c := range rec.Config {
				if !strings.HasPrefix(c.Key, ".") && len(c.Value) > 0 { // ".file" and the like are the reader's own
					file.addConfig(c.Key, string(c.Value))
				}
			}
			base, parts := rec.Name.Parts()
			// benchfmt drops the "Benchmark" prefix; the report keeps the
			// function's name.
			var full bytes.Buffer
			full.WriteString("Benchmark")
			full.Write(base)
			b := &Bench{Base: full.String(), Samples: map[string][]float64{}}
			for _, p := range parts {
				if p[0] != '/' {
					continue // the GOMAXPROCS suffix ("-2")
				}
				full.Write(p)
				k, v, ok := bytes.Cut(p[1:], []byte("="))
				if !ok {
					k, v = nil, p[1:]
				}
				b.Parts = append(b.Parts, Part{Key: string(k), Value: string(v)})
			}
			b.Name = full.String()
			if old, ok := byName[b.Name]; ok {
				b = old
			} else {
				byName[b.Name] = b
				file.Benches = append(file.Benches, b)
			}
			for _, v := range rec.Values {
				if !slices.Contains(file.Units, v.Unit) {
					file.Units = append(file.Units, v.Unit)
				}
				b.Samples[v.Unit] = append(b.Samples[v.Unit], v.Value)
			}
		}
	}
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return file, nil
}

func (f *File) addConfig(key, value string) {
	for i := range f.Config {
		if f.Config[i].Key == key {
			if !slices.Contains(f.Config[i].Values, value) {
				f.Config[i].Values = append(f.Config[i].Values, value)
			}
			return
		}
	}
	f.Config = append(f.Config, Config{Key: key, Values: []string{value}})
}

// ConfigValues returns the distinct values of the configuration key, nil
// when the file does not have it.
func (f *File) ConfigValues(key string) []string {
	for _, c := range f.Config {
		if c.Key == key {
			return c.Values
		}
	}
	return nil
}
