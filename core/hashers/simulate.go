package hashers

import (
	"context"
	"fmt"
)

// Simulated checks.
//
// A login for a user who does not exist (SimulateCheck), or whose stored
// hash is unusable, names an unknown algorithm or cannot be verified
// (VerifyPassword's fake runtime), must cost as much as a wrong password for
// a real user, or usernames can be enumerated by timing. The cost of a real
// check is that of the stored hash's algorithm and work parameters, which
// may be far from the preferred hasher's: a database shared with Django
// holds pbkdf2_sha256 hashes at 1,500,000 iterations (about 270 ms), while
// the preferred Argon2id costs about 25 ms.
//
// So the Registry keeps a simulation template: a dummy encoding with the
// algorithm and work parameters of the most recent real verification (or of
// the sample given to SetSimulation), but a random salt and a random digest.
// Simulated checks verify the password against the dummy with the same
// hasher, then run HardenRuntime exactly when VerifyPassword would for such
// a hash, so they do the same work as a wrong password against a real hash.
// Only the algorithm and numbers are kept: never a real user's salt or
// digest. Before any real verification (and without SetSimulation) a
// simulated check hashes with the preferred hasher, as Django does.

// workParams are the work parameters of a stored encoding that a dummy must
// reproduce, as numbers (so that no part of a real hash is retained). Their
// meaning depends on the hasher; see its simParams.
type workParams [6]uint64

// simulator is implemented by the hashers of this package that have a work
// factor: they can read the work parameters of a stored encoding and make a
// dummy with the same parameters.
type simulator interface {
	PasswordHasher
	// simParams validates encoded as Verify does, without doing any work,
	// and returns its work parameters.
	simParams(encoded string) (workParams, error)
	// simDummy returns an encoding with the parameters w, a random salt and
	// a random digest. Verifying it costs as much as verifying the encoding
	// w came from.
	simDummy(w workParams) string
}

// simTemplate is an immutable simulation template.
type simTemplate struct {
	hasher simulator
	params workParams
	dummy  string
	harden bool // a wrong password against dummy runs HardenRuntime
	pinned bool // set by SetSimulation: real verifications do not replace it
}

// dummySaltLen is the length of a dummy's salt for a stored salt of n
// characters: the same, up to 64 (enough for Django's 22-character rule;
// the salt length has no measurable effect on the work).
func dummySaltLen(n uint64) int { return int(min(n, 64)) }

// newTemplate builds a template for hasher h with parameters w.
func (r *Registry) newTemplate(h simulator, w workParams, pinned bool) *simTemplate {
	t := &simTemplate{hasher: h, params: w, dummy: h.simDummy(w), pinned: pinned}
	if h.Algorithm() == r.preferred.Algorithm() && r.preferred.MustUpdate(t.dummy) {
		_, t.harden = h.(RuntimeHardener)
	}
	return t
}

// record makes the simulation template follow a real, successful
// verification of encoded by h, unless the template is pinned. It does
// nothing (and allocates nothing) when the parameters have not changed.
// Hashers without a work factor (the legacy ones) and hashers from other
// packages leave the template alone.
func (r *Registry) record(h PasswordHasher, encoded string) {
	s, ok := h.(simulator)
	if !ok {
		return
	}
	old := r.sim.Load()
	if old != nil && old.pinned {
		return
	}
	w, err := s.simParams(encoded)
	if err != nil {
		return
	}
	if old != nil && old.hasher == s && old.params == w {
		return
	}
	// If another verification or SetSimulation won the race, keep theirs.
	r.sim.CompareAndSwap(old, r.newTemplate(s, w, false))
}

// simulate spends the time of a wrong password against a hash like the
// template: it verifies password against the dummy and hardens the runtime
// as VerifyPassword would. Without a template it hashes hashInput with the
// preferred hasher instead.
func (r *Registry) simulate(ctx context.Context, password, hashInput string) error {
	t := r.sim.Load()
	if t == nil {
		_, err := r.preferred.Hash(ctx, hashInput)
		return err
	}
	correct, err := t.hasher.Verify(ctx, password, t.dummy)
	if err != nil {
		return err
	}
	if !correct && t.harden {
		t.hasher.(RuntimeHardener).HardenRuntime(ctx, password, t.dummy)
	}
	return nil
}

// SetSimulation pins the cost of simulated checks (SimulateCheck, and
// VerifyPassword's fake runtime for unusable, unknown or unverifiable
// encodings) to that of a wrong password against encoded, and stops real
// verifications from changing it.
//
// encoded is a sample of the hashes the application stores, for instance
// any row of Django's auth_user.password, or a hash just made by a hasher
// with the parameters in use. Only its algorithm and work parameters are
// kept; its salt and digest are discarded, and simulated checks verify
// against a dummy with a random salt and digest. The algorithm must be
// installed, be one of this package's hashers with a work factor (argon2,
// pbkdf2_sha256, pbkdf2_sha1, bcrypt_sha256, bcrypt, scrypt) and the
// encoding must be verifiable (within Limits); otherwise SetSimulation
// returns an error wrapping ErrUnknownAlgorithm, ErrUnsupported,
// ErrMalformedHash or ErrLimitExceeded and changes nothing.
//
// Without SetSimulation, simulated checks follow the most recent real
// verification (see SimulateCheck). That suits a database whose hashes
// share one algorithm and work factor; when they are mixed, an attacker can
// steer the template by first trying a password for a known user, so pin
// the most common (or the most expensive) kind here.
//
// SetSimulation("") removes the pin: the current template stays until the
// next real verification replaces it.
func (r *Registry) SetSimulation(encoded string) error {
	if encoded == "" {
		for {
			old := r.sim.Load()
			if old == nil || !old.pinned {
				return nil
			}
			unpinned := *old
			unpinned.pinned = false
			if r.sim.CompareAndSwap(old, &unpinned) {
				return nil
			}
		}
	}
	var h PasswordHasher
	if IsPasswordUsable(encoded) {
		h, _ = r.Identify(encoded)
	}
	if h == nil {
		// UnknownAlgorithmError would quote the encoding.
		return fmt.Errorf("hashers: SetSimulation: %w: the sample is unusable or its algorithm is not installed", ErrUnknownAlgorithm)
	}
	s, ok := h.(simulator)
	if !ok {
		return fmt.Errorf("hashers: SetSimulation: %w: %s has no work factor to simulate", ErrUnsupported, h.Algorithm())
	}
	w, err := s.simParams(encoded)
	if err != nil {
		return fmt.Errorf("hashers: SetSimulation: %w", err)
	}
	r.sim.Store(r.newTemplate(s, w, true))
	return nil
}
