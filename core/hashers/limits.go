package hashers

// Default limits. See Limits.
const (
	DefaultMaxArgon2Memory     = 256 * 1024 // KiB (256 MiB)
	DefaultMaxArgon2Time       = 16
	DefaultMaxArgon2Threads    = 255 // golang.org/x/crypto/argon2 takes a uint8
	DefaultMaxKeyLen           = 1024
	DefaultMaxPBKDF2Iterations = 20_000_000
	DefaultMaxBcryptCost       = 16
	DefaultMaxScryptN          = 1 << 20
	DefaultMaxScryptR          = 32
	DefaultMaxScryptP          = 16
	DefaultMaxScryptMemory     = 256 << 20 // bytes
)

// Limits caps the work-factor parameters a hasher accepts. Parameters read
// from a stored hash are checked against the limits before any memory is
// allocated or any hashing work is done, so a corrupted or hostile stored
// hash such as m=4294967295 fails fast with ErrLimitExceeded instead of
// exhausting memory or CPU. A hasher's own parameters must also be within its
// limits, so that it never produces a hash it would refuse to verify.
//
// A zero field means the default (the DefaultMax* constants). The defaults
// accept every hash Django has ever produced with its default settings
// (Django 6.1: PBKDF2 1,500,000 iterations, argon2 m=102400 t=2 p=8, bcrypt
// cost 12, scrypt N=16384 r=8 p=5) with room to spare, while one verification
// stays within a few seconds and a few hundred MiB.
type Limits struct {
	// MaxArgon2Memory is the largest argon2 memory cost m, in KiB.
	// Default 262144 (256 MiB).
	MaxArgon2Memory uint32
	// MaxArgon2Time is the largest argon2 time cost t. Default 16.
	MaxArgon2Time uint32
	// MaxArgon2Threads is the largest argon2 parallelism p. Default 255,
	// the most golang.org/x/crypto/argon2 supports.
	MaxArgon2Threads uint8
	// MaxKeyLen is the longest argon2 tag (hash) length, in bytes.
	// Default 1024.
	MaxKeyLen uint32
	// MaxPBKDF2Iterations is the largest PBKDF2 iteration count.
	// Default 20,000,000.
	MaxPBKDF2Iterations int
	// MaxBcryptCost is the largest bcrypt cost (log2 rounds). Default 16,
	// 16 times the work of Django's default 12.
	MaxBcryptCost int
	// MaxScryptN is the largest scrypt work factor N. Default 1<<20.
	MaxScryptN int
	// MaxScryptR is the largest scrypt block size r. Default 32.
	MaxScryptR int
	// MaxScryptP is the largest scrypt parallelism p. Default 16.
	MaxScryptP int
	// MaxScryptMemory is the largest scrypt memory use 128*N*r, in bytes.
	// Default 256 MiB. (Django's hashlib.scrypt call uses OpenSSL's default
	// ceiling of 32 MiB.)
	MaxScryptMemory int64
}

// DefaultLimits returns the default limits, with every field set.
func DefaultLimits() Limits {
	return Limits{
		MaxArgon2Memory:     DefaultMaxArgon2Memory,
		MaxArgon2Time:       DefaultMaxArgon2Time,
		MaxArgon2Threads:    DefaultMaxArgon2Threads,
		MaxKeyLen:           DefaultMaxKeyLen,
		MaxPBKDF2Iterations: DefaultMaxPBKDF2Iterations,
		MaxBcryptCost:       DefaultMaxBcryptCost,
		MaxScryptN:          DefaultMaxScryptN,
		MaxScryptR:          DefaultMaxScryptR,
		MaxScryptP:          DefaultMaxScryptP,
		MaxScryptMemory:     DefaultMaxScryptMemory,
	}
}

// resolved returns l with every zero field replaced by its default.
func (l Limits) resolved() Limits {
	d := DefaultLimits()
	if l.MaxArgon2Memory == 0 {
		l.MaxArgon2Memory = d.MaxArgon2Memory
	}
	if l.MaxArgon2Time == 0 {
		l.MaxArgon2Time = d.MaxArgon2Time
	}
	if l.MaxArgon2Threads == 0 {
		l.MaxArgon2Threads = d.MaxArgon2Threads
	}
	if l.MaxKeyLen == 0 {
		l.MaxKeyLen = d.MaxKeyLen
	}
	if l.MaxPBKDF2Iterations <= 0 {
		l.MaxPBKDF2Iterations = d.MaxPBKDF2Iterations
	}
	if l.MaxBcryptCost <= 0 {
		l.MaxBcryptCost = d.MaxBcryptCost
	}
	if l.MaxScryptN <= 0 {
		l.MaxScryptN = d.MaxScryptN
	}
	if l.MaxScryptR <= 0 {
		l.MaxScryptR = d.MaxScryptR
	}
	if l.MaxScryptP <= 0 {
		l.MaxScryptP = d.MaxScryptP
	}
	if l.MaxScryptMemory <= 0 {
		l.MaxScryptMemory = d.MaxScryptMemory
	}
	return l
}
