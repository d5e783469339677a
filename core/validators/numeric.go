package validators

// NumericPasswordValidator is Django's NumericPasswordValidator: the
// password must not be entirely numeric, judged by Python's str.isdigit().
// That is wider than ASCII: "١٢٣٤٥٦٧٨" (Arabic-Indic), "１２３" (fullwidth)
// and "²³" (superscripts) are all numeric, while "½" and "Ⅻ" are not
// digits and pass. The empty password passes (isdigit is false for "").
type NumericPasswordValidator struct{}

// Validate fails with code password_entirely_numeric and the message "This
// password is entirely numeric.". user is not used.
func (NumericPasswordValidator) Validate(password string, _ UserAttributes) error {
	if pyIsDigit(password) {
		return newValidationError("This password is entirely numeric.", CodePasswordEntirelyNumeric)
	}
	return nil
}

// HelpText returns "Your password can’t be entirely numeric." (with
// Django's typographic apostrophe U+2019).
func (NumericPasswordValidator) HelpText() string {
	return "Your password can\u2019t be entirely numeric."
}
