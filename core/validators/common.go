package validators

import (
	"bytes"
	"compress/gzip"
	_ "embed" // for the common-password list
	"fmt"
	"io"
	"strings"
	"sync"
)

// commonPasswordsGz is the embedded list of common passwords, one per line,
// lower-cased and stripped (see NOTICE): Django 3.2.25's
// django/contrib/auth/common-passwords.txt.gz, all 19,727 distinct entries
// in Django's order (Django describes it as "20,000 common passwords"),
// followed by the 273 most common passwords of zxcvbn 4.4.2's list that
// Django's lacks, in zxcvbn's rank order: 20,000 distinct entries.
// testdata/make_common_passwords.go rebuilds it from both sources.
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// defaultCommonPasswords decodes the embedded list once per process, on
// first use. The returned set is never written after it is built, so every
// CommonPasswordValidator that uses the default list shares it safely.
var defaultCommonPasswords = sync.OnceValues(func() (map[string]struct{}, error) {
	return parsePasswordList(commonPasswordsGz)
})

// CommonPasswordValidator is Django's CommonPasswordValidator: the password,
// lower-cased and stripped of surrounding whitespace (Python's
// str.lower().strip()), must not be in a list of common passwords.
//
// The zero value uses the list embedded in the package: every entry of
// Django 3.2's list plus 273 common passwords from zxcvbn's list (see the
// package documentation), so it refuses everything Django 3.2 refuses and
// a few more. It is decompressed the first time any validator needs it and
// the resulting set is shared, read-only, by all such validators; a
// validator with its own PasswordList decodes that list once, on its first
// Validate. Use the validator through a pointer (it holds a sync.Once); it
// is safe for concurrent use.
type CommonPasswordValidator struct {
	// PasswordList, when non-nil, replaces the embedded list, as Django's
	// password_list_path: one password per line, gzip-compressed or plain
	// text. Lines are split as Python's text mode does (\n, \r\n or \r) and
	// stripped; they are not lower-cased, so the list must be lower case to
	// match. It must not be modified after the first Validate.
	PasswordList []byte

	once      sync.Once
	passwords map[string]struct{}
	err       error
}

// NewCommonPasswordValidator returns a validator using the embedded list.
func NewCommonPasswordValidator() *CommonPasswordValidator {
	return &CommonPasswordValidator{}
}

func (v *CommonPasswordValidator) load() (map[string]struct{}, error) {
	v.once.Do(func() {
		if v.PasswordList == nil {
			v.passwords, v.err = defaultCommonPasswords()
		} else {
			v.passwords, v.err = parsePasswordList(v.PasswordList)
		}
	})
	return v.passwords, v.err
}

// Validate fails with code password_too_common and the message "This
// password is too common.". It returns a plain error if PasswordList
// cannot be decompressed. user is not used.
func (v *CommonPasswordValidator) Validate(password string, _ UserAttributes) error {
	passwords, err := v.load()
	if err != nil {
		return err
	}
	if _, ok := passwords[string(pyStrip(pyLower(password)))]; ok {
		return newValidationError("This password is too common.", CodePasswordTooCommon)
	}
	return nil
}

// HelpText returns "Your password can’t be a commonly used password."
// (with Django's typographic apostrophe U+2019).
func (*CommonPasswordValidator) HelpText() string {
	return "Your password can\u2019t be a commonly used password."
}

// parsePasswordList reads a password list as Django does: gunzip when the
// data is gzip (Django tries gzip first and falls back to plain text on
// OSError; here the gzip magic number decides), then one entry per line,
// stripped.
func parsePasswordList(data []byte) (map[string]struct{}, error) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("validators: reading common password list: %w", err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("validators: reading common password list: %w", err)
		}
		data = plain
	}
	text := string(data)
	set := make(map[string]struct{}, strings.Count(text, "\n")+1)
	for text != "" {
		line := text
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			text = ""
		} else {
			line = text[:i]
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			text = text[i+1:]
		}
		set[pyStripString(line)] = struct{}{}
	}
	return set, nil
}
