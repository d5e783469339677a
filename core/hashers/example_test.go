package hashers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reinhardt-go/auth/core/hashers"
)

// The reference README's example: hash with Argon2id, then verify.
func Example() {
	ctx := context.Background()
	hasher := hashers.NewArgon2Hasher()
	hash, _ := hasher.Hash(ctx, "my_password")
	ok, _ := hasher.Verify(ctx, "my_password", hash)
	fmt.Println(ok)
	// Output: true
}

func ExampleArgon2Hasher_Hash() {
	hash, err := hashers.NewArgon2Hasher().Hash(context.Background(), "my_password")
	if err != nil {
		panic(err)
	}
	// The salt and hash are random; the shape is Django's.
	fields := strings.Split(hash, "$")
	fmt.Println(strings.Join(fields[:4], "$"), len(fields[4]), len(fields[5]))
	// Output: argon2$argon2id$v=19$m=19456,t=2,p=1 30 43
}

// Verify a hash made by Django (its test suite's salted MD5 vector) and see
// that the default registry wants it upgraded.
func ExampleRegistry_VerifyPassword() {
	reg := hashers.Default()
	correct, mustUpdate, err := reg.VerifyPassword(context.Background(), "lètmein",
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3")
	fmt.Println(correct, mustUpdate, err)
	// Output: true true <nil>
}

// CheckPassword calls the setter to store an upgraded hash after a correct
// password; here a pbkdf2_sha1 hash is upgraded to Argon2id.
func ExampleRegistry_CheckPassword() {
	ctx := context.Background()
	old := hashers.NewPBKDF2SHA1Hasher()
	old.Iterations = 1000
	stored, _ := old.Hash(ctx, "s3cret")

	reg := hashers.New(hashers.NewArgon2Hasher(), old)
	ok, err := reg.CheckPassword(ctx, "s3cret", stored, func(ctx context.Context, password string) error {
		var err error
		stored, err = reg.MakePassword(ctx, password) // save it in the database here
		return err
	})
	fmt.Println(ok, err, strings.SplitN(stored, "$", 2)[0])
	// Output: true <nil> argon2
}

func ExampleRegistry_Identify() {
	reg := hashers.Default()
	for _, enc := range []string{
		"88a434c88cca4e900f7874cd98123f43",
		"sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b",
		"pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=",
		"lolcat$salt$hash",
	} {
		h, err := reg.Identify(enc)
		if err != nil {
			fmt.Println(err, errors.Is(err, hashers.ErrUnknownAlgorithm))
			continue
		}
		fmt.Println(h.Algorithm())
	}
	// Output:
	// unsalted_md5
	// unsalted_sha1
	// pbkdf2_sha256
	// Unknown password hashing algorithm 'lolcat'. Did you specify it in the PASSWORD_HASHERS setting? true
}

func ExampleMakeUnusablePassword() {
	enc := hashers.MakeUnusablePassword()
	fmt.Println(len(enc), hashers.IsPasswordUsable(enc), hashers.IsPasswordUsable(""))
	// Output: 41 false true
}

// Stored parameters beyond the limits are refused without doing the work.
func ExampleLimits() {
	h := hashers.NewArgon2Hasher()
	_, err := h.Verify(context.Background(), "x",
		"argon2$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q")
	fmt.Println(errors.Is(err, hashers.ErrLimitExceeded))
	fmt.Println(err)
	// Output:
	// true
	// hashers: password hash parameters exceed the configured limits: argon2: m=4294967295 KiB exceeds the limit of 262144 KiB
}

// A Limiter shared by all hashers bounds how many hashes run at once (4)
// and the memory the memory-hard ones hold together (64 MiB: three default
// Argon2id hashes of 19 MiB, or four scrypt hashes of 16 MiB).
func ExampleLimiter() {
	lim := hashers.NewLimiter(4)
	lim.MaxMemory = 64 << 20
	a := hashers.NewArgon2Hasher()
	a.Limiter = lim
	s := hashers.NewScryptHasher()
	s.Limiter = lim
	p := hashers.NewPBKDF2SHA256Hasher()
	p.Limiter = lim
	reg := hashers.New(a, s, p)
	fmt.Println(reg.Limiter() == lim, lim.Capacity(), lim.InFlight(), lim.MemoryInFlight())
	// Output: true 4 0 0
}

// An application whose database holds Django's pbkdf2_sha256 hashes pins
// the cost of SimulateCheck (unknown users) to theirs from the start. Any
// stored hash will do as the sample: only its algorithm and iteration count
// are kept.
func ExampleRegistry_SetSimulation() {
	reg := hashers.New(hashers.NewArgon2Hasher(), hashers.NewPBKDF2SHA256Hasher())
	err := reg.SetSimulation("pbkdf2_sha256$1500000$seasaltseasaltseasalt1$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	fmt.Println(err)
	// Output: <nil>
}
