package validators_test

import (
	"errors"
	"fmt"

	"github.com/reinhardt-go/auth/core/validators"
)

// A registration handler with only the submitted username, e-mail and
// password.
func ExampleValidate() {
	user := validators.Attrs{"username": "jdoe", "email": "jdoe@example.com"}
	err := validators.Validate("jdoe1", user, validators.DefaultValidators()...)

	var ve *validators.ValidationError
	if errors.As(err, &ve) {
		for _, d := range ve.Errors {
			fmt.Printf("%s: %s\n", d.Code, d.Message)
		}
	}
	fmt.Println(validators.Validate("correct horse battery staple", user, validators.DefaultValidators()...))
	// Output:
	// password_too_similar: The password is too similar to the username.
	// password_too_short: This password is too short. It must contain at least 8 characters.
	// <nil>
}

func ExampleHelpTexts() {
	for _, text := range validators.HelpTexts(validators.DefaultValidators()...) {
		fmt.Println(text)
	}
	// Output:
	// Your password can’t be too similar to your other personal information.
	// Your password must contain at least 8 characters.
	// Your password can’t be a commonly used password.
	// Your password can’t be entirely numeric.
}

func ExampleMinimumLengthValidator() {
	v := validators.MinimumLengthValidator{MinLength: 12}
	fmt.Println(v.Validate("short", nil))
	fmt.Println(validators.MinimumLengthValidator{MinLength: 1}.Validate("", nil))
	// Output:
	// This password is too short. It must contain at least 12 characters.
	// This password is too short. It must contain at least 1 character.
}

func ExampleUserAttributeSimilarityValidator() {
	user := validators.Attrs{"email": "Margaret.Hamilton@nasa.gov", "first_name": "Margaret"}

	// The e-mail address is compared whole and in parts.
	fmt.Println(validators.UserAttributeSimilarityValidator{}.Validate("hamilton!", user))

	// A stricter threshold on the first name only.
	v, err := validators.NewUserAttributeSimilarityValidator([]string{"first_name"}, 0.5)
	fmt.Println(err, v.Validate("great-gram", user))

	_, err = validators.NewUserAttributeSimilarityValidator(nil, 0.05)
	fmt.Println(errors.Is(err, validators.ErrInvalidMaxSimilarity), err)
	// Output:
	// The password is too similar to the email address.
	// <nil> The password is too similar to the first name.
	// true validators: max_similarity must be at least 0.1 (got 0.05)
}

func ExampleCommonPasswordValidator() {
	v := validators.NewCommonPasswordValidator()
	fmt.Println(v.Validate("  PassWord ", nil))
	fmt.Println(v.Validate("a-safe-password", nil))

	custom := &validators.CommonPasswordValidator{PasswordList: []byte("hunter2\nswordfish\n")}
	fmt.Println(custom.Validate("Swordfish", nil))
	// Output:
	// This password is too common.
	// <nil>
	// This password is too common.
}

func ExampleNumericPasswordValidator() {
	v := validators.NumericPasswordValidator{}
	for _, pw := range []string{"20240101", "١٢٣٤٥٦٧٨", "²³⁴", "½", "2024-01-01"} {
		fmt.Printf("%q: %v\n", pw, v.Validate(pw, nil))
	}
	// Output:
	// "20240101": This password is entirely numeric.
	// "١٢٣٤٥٦٧٨": This password is entirely numeric.
	// "²³⁴": This password is entirely numeric.
	// "½": <nil>
	// "2024-01-01": <nil>
}

func ExampleAttributesOf() {
	fmt.Println(validators.AttributesOf(account{"ada", "ada@example.com"}))
	// Output:
	// map[email:ada@example.com username:ada]
}

type account struct{ name, email string }

func (a account) GetUsername() string { return a.name }
func (a account) GetEmail() string    { return a.email }
