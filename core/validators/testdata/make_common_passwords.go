//go:build ignore

// make_common_passwords rebuilds ../common-passwords.txt.gz, the common
// password list embedded in package validators, from two public sources:
//
//  1. Django 3.2.25's django/contrib/auth/common-passwords.txt.gz
//     (BSD-3-Clause), every entry, in Django's order. By default it is read
//     from Debian's python3-django 3:3.2.25 package (apt-get install
//     python3-django).
//  2. The "passwords" frequency list of the npm package zxcvbn 4.4.2 (MIT),
//     30,000 common passwords from Xato's 10M-password corpus, most frequent
//     first: the highest-ranked entries not already in Django's list are
//     appended, in rank order, until the list holds 20,000 distinct entries.
//
// Both inputs are pinned by hash, so the output text is reproducible; the
// gzip stream is byte-identical when built with the same Go release (Go
// 1.26 for the committed file). Run from package validators' directory:
//
//	go run testdata/make_common_passwords.go          # fetches zxcvbn with npm pack
//	go run testdata/make_common_passwords.go -zxcvbn zxcvbn-4.4.2.tgz
//	go run testdata/make_common_passwords.go -check   # verify, write nothing
//
// See NOTICE for the licences of both sources.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	// Django 3.2.25's list: SHA-256 of the decompressed text (the .gz
	// file itself has MD5 b76815126ad20f3e2c6259d426ef6ba5 in Debian's
	// python3-django 3:3.2.25-0+deb12u7).
	djangoDefaultPath = "/usr/lib/python3/dist-packages/django/contrib/auth/common-passwords.txt.gz"
	djangoTextSHA256  = "bc1047c49db981097765cd0754e0d9295e786de5f72251e0cf3a50e1f6b0e303"
	djangoEntries     = 19727

	// zxcvbn 4.4.2 on the npm registry: dist.integrity of the tarball.
	zxcvbnPackage   = "zxcvbn"
	zxcvbnVersion   = "4.4.2"
	zxcvbnIntegrity = "sha512-Bq0B+ixT/DMyG8kgX2xWcI5jUvCwqrMxSFam7m0lAf78nf04hv6lNCsyLYdyYTrCVMqNDY/206K7eExYCeSyUQ=="
	zxcvbnListFile  = "package/lib/frequency_lists.js"
	zxcvbnEntries   = 30000
	zxcvbnCopyright = "Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc."

	// target is the number of distinct entries in the output.
	target = 20000
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("make_common_passwords: ")
	djangoPath := flag.String("django", djangoDefaultPath, "Django 3.2.25's common-passwords.txt.gz")
	zxcvbnPath := flag.String("zxcvbn", "", "zxcvbn-"+zxcvbnVersion+".tgz (default: fetch it with npm pack)")
	out := flag.String("o", "common-passwords.txt.gz", "output file")
	check := flag.Bool("check", false, "compare the text with the existing output file instead of writing it")
	flag.Parse()

	django, err := readDjango(*djangoPath)
	if err != nil {
		log.Fatal(err)
	}
	tgz, err := readZxcvbnTarball(*zxcvbnPath)
	if err != nil {
		log.Fatal(err)
	}
	ranked, err := zxcvbnPasswords(tgz)
	if err != nil {
		log.Fatal(err)
	}

	seen := make(map[string]bool, target)
	for _, p := range django {
		seen[p] = true
	}
	lines := append([]string{}, django...)
	lastRank := 0
	for i, p := range ranked {
		if len(lines) == target {
			break
		}
		if !seen[p] {
			seen[p] = true
			lines = append(lines, p)
			lastRank = i + 1
		}
	}
	if len(lines) != target {
		log.Fatalf("only %d entries after all of zxcvbn's list", len(lines))
	}
	text := strings.Join(lines, "\n") + "\n"
	sum := sha256.Sum256([]byte(text))
	fmt.Printf("%d entries: %d from Django 3.2.25, %d from %s %s (its top %d)\n",
		len(lines), len(django), len(lines)-len(django), zxcvbnPackage, zxcvbnVersion, lastRank)
	fmt.Printf("text SHA-256 %x\n", sum)

	if *check {
		old, err := os.ReadFile(*out)
		if err != nil {
			log.Fatal(err)
		}
		oldText, err := gunzip(old)
		if err != nil {
			log.Fatalf("%s: %v", *out, err)
		}
		if string(oldText) != text {
			log.Fatalf("%s does not match the sources", *out)
		}
		fmt.Printf("%s matches\n", *out)
		return
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	// No name and no modification time, so the output is deterministic.
	if _, err := io.WriteString(zw, text); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%d bytes)\n", *out, gz.Len())
}

// readDjango returns Django's entries in file order, checking that they are
// the pinned file's and already as the validator compares them (lower-cased,
// stripped, distinct), so that they can be copied verbatim.
func readDjango(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (install python3-django or pass -django)", err)
	}
	text, err := gunzip(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if sum := sha256.Sum256(text); hex.EncodeToString(sum[:]) != djangoTextSHA256 {
		return nil, fmt.Errorf("%s: text SHA-256 %x, want Django 3.2.25's %s", path, sum, djangoTextSHA256)
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	seen := make(map[string]bool, len(lines))
	for _, p := range lines {
		if err := checkEntry(p); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if seen[p] {
			return nil, fmt.Errorf("%s: duplicate entry %q", path, p)
		}
		seen[p] = true
	}
	if len(lines) != djangoEntries {
		return nil, fmt.Errorf("%s: %d entries, want %d", path, len(lines), djangoEntries)
	}
	return lines, nil
}

// checkEntry accepts what both Python's and this package's
// str.lower().strip() leave unchanged and what cannot split a line.
func checkEntry(p string) error {
	if p == "" || strings.ContainsAny(p, "\r\n") || strings.TrimSpace(p) != p {
		return fmt.Errorf("entry %q is empty, spaced or multi-line", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r >= 0x80 {
			// Outside printable ASCII, Go's and Python's case mappings
			// and white space can differ; no pinned entry is there.
			return fmt.Errorf("entry %q is not printable ASCII", p)
		}
	}
	if strings.ToLower(p) != p {
		return fmt.Errorf("entry %q is not lower case", p)
	}
	return nil
}

// readZxcvbnTarball reads the npm tarball, fetching it with npm pack when
// path is empty, and checks it against the registry's pinned integrity.
func readZxcvbnTarball(path string) ([]byte, error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "zxcvbn")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("npm", "pack", "--silent", zxcvbnPackage+"@"+zxcvbnVersion)
		cmd.Dir = dir
		cmd.Stderr = os.Stderr
		name, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("npm pack %s@%s: %w", zxcvbnPackage, zxcvbnVersion, err)
		}
		path = filepath.Join(dir, strings.TrimSpace(string(name)))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(data)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != zxcvbnIntegrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s@%s's %s", path, got, zxcvbnPackage, zxcvbnVersion, zxcvbnIntegrity)
	}
	return data, nil
}

// zxcvbnPasswords extracts the ranked "passwords" list from the tarball's
// frequency_lists.js, checking the package's name, version and licence.
func zxcvbnPasswords(tgz []byte) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch h.Name {
		case "package/package.json", "package/LICENSE.txt", zxcvbnListFile:
			if files[h.Name], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
	var meta struct{ Name, Version, License string }
	if err := json.Unmarshal(files["package/package.json"], &meta); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	if meta.Name != zxcvbnPackage || meta.Version != zxcvbnVersion || meta.License != "MIT" {
		return nil, fmt.Errorf("package.json: %+v, want %s %s MIT", meta, zxcvbnPackage, zxcvbnVersion)
	}
	if !bytes.Contains(files["package/LICENSE.txt"], []byte(zxcvbnCopyright)) {
		return nil, fmt.Errorf("LICENSE.txt lacks %q (update NOTICE)", zxcvbnCopyright)
	}

	// The list is one line of frequency_lists.js:
	//   passwords: "123456,password,12345678,...".split(","),
	const prefix = `  passwords: "`
	var body string
	for line := range strings.Lines(string(files[zxcvbnListFile])) {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			body = rest
			break
		}
	}
	list, err := jsStringBody(body)
	if err != nil {
		return nil, fmt.Errorf("%s: passwords list: %w", zxcvbnListFile, err)
	}
	ranked := strings.Split(list, ",")
	if len(ranked) != zxcvbnEntries {
		return nil, fmt.Errorf("%s: %d passwords, want %d", zxcvbnListFile, len(ranked), zxcvbnEntries)
	}
	for _, p := range ranked {
		if err := checkEntry(p); err != nil {
			return nil, fmt.Errorf("%s: %w", zxcvbnListFile, err)
		}
	}
	return ranked, nil
}

// jsStringBody decodes a double-quoted JavaScript string literal from just
// after its opening quote up to its closing quote. It knows only the escapes
// \\, \' and \" (the list uses \' once, in "pic\'s") and rejects any other.
func jsStringBody(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), nil
		case '\\':
			if i+1 < len(s) && strings.IndexByte(`\'"`, s[i+1]) >= 0 {
				i++
				b.WriteByte(s[i])
				continue
			}
			return "", fmt.Errorf("unsupported escape at byte %d", i)
		case '\n', '\r':
			return "", errors.New("unterminated string")
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated string")
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
