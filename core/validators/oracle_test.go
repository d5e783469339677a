package validators

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// The oracle tests run Django's real validators and CPython's string
// functions through testdata/django_oracle.py and compare. They need a
// Python that can import Django: $REINHARDT_PYTHON, else /usr/bin/python3.
// Without one they skip, unless REINHARDT_REQUIRE_DJANGO=1, which makes a
// missing Django a failure (for CI).

type oracleSpec struct {
	Kind string         `json:"kind"`
	Opts map[string]any `json:"opts,omitempty"`
}

type oracleCase struct {
	Validators []oracleSpec      `json:"validators"`
	Password   string            `json:"password"`
	User       map[string]string `json:"user"`
}

type oracleRequest struct {
	Cases   []oracleCase `json:"cases,omitempty"`
	Ratios  [][2]string  `json:"ratios,omitempty"`
	Lower   []string     `json:"lower,omitempty"`
	Strip   []string     `json:"strip,omitempty"`
	Split   []string     `json:"split,omitempty"`
	IsDigit []string     `json:"isdigit,omitempty"`
	Tables  bool         `json:"tables,omitempty"`
}

type oracleResult struct {
	ValueError string      `json:"value_error"`
	Help       []string    `json:"help"`
	Errors     [][2]string `json:"errors"`
}

type oracleTables struct {
	UnidataVersion string            `json:"unidata_version"`
	Assigned       [][2]rune         `json:"assigned"`
	IsDigit        [][2]rune         `json:"isdigit"`
	Word           [][2]rune         `json:"word"`
	IsSpace        [][2]rune         `json:"isspace"`
	Lower          map[string]string `json:"lower"`
	SigmaBetween   [][2]rune         `json:"sigma_between"`
	SigmaAfter     [][2]rune         `json:"sigma_after"`
}

type oracleResponse struct {
	DjangoVersion string         `json:"django_version"`
	Cases         []oracleResult `json:"cases"`
	Ratios        []float64      `json:"ratios"`
	Lower         []string       `json:"lower"`
	Strip         []string       `json:"strip"`
	Split         [][]string     `json:"split"`
	IsDigit       []bool         `json:"isdigit"`
	CommonCount   int            `json:"common_count"`
	Tables        *oracleTables  `json:"tables"`
}

func oraclePython() string {
	if p := os.Getenv("REINHARDT_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// requireOracle skips (or, with REINHARDT_REQUIRE_DJANGO=1, fails) the test
// when Django cannot be imported.
func requireOracle(t *testing.T) {
	t.Helper()
	py := oraclePython()
	out, err := exec.Command(py, "-c", "import django").CombinedOutput()
	if err == nil {
		return
	}
	msg := "Django not importable with " + py + ": " + string(bytes.TrimSpace(out)) + " " + err.Error()
	if os.Getenv("REINHARDT_REQUIRE_DJANGO") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func runOracle(t *testing.T, req oracleRequest) oracleResponse {
	t.Helper()
	requireOracle(t)
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(oraclePython(), "testdata/django_oracle.py")
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var resp oracleResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	return resp
}

// inRanges reports whether r is in the sorted inclusive ranges.
func inRanges(rs [][2]rune, r rune) bool {
	lo, hi := 0, len(rs)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < rs[m][0]:
			hi = m
		case r > rs[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}
