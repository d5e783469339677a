package sessions

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// defaultTTL is how long Save keeps a session without a Manager's timeouts:
// 3600 seconds, the reference's default.
const defaultTTL = time.Hour

// createdKey is the reserved entry in which a saved session records when
// it was created (Unix seconds), for the Manager's absolute timeout. The
// dictionary API never shows it.
const createdKey = "_session_created"

// Session is one client's session: Django's request.session, with the
// reference's dictionary API over a SessionBackend.
//
// Values are kept as the serializer encoded them and decoded when read, so
// typed reads go through GetAs and never assert an interface{}. Reading
// marks the session accessed; Set, Delete, Clear, Flush and CycleKey mark
// it modified, and the Manager saves a session only when it was modified
// (or its idle timeout needs extending). A value obtained with Get or
// GetAs and changed in place is saved only after MarkModified, as in
// Django.
//
// A Session belongs to one request at a time and is not safe for
// concurrent use; concurrent requests of one client each have their own,
// and the backend's versions turn a lost update into ErrConflict.
type Session struct {
	m        *Manager
	key      SessionID // the id the client holds; "" until one is made
	clientID SessionID // the id the request presented, "" when none
	version  uint64    // version of the stored record under key; 0: not stored
	expiry   time.Time // expiry of the stored record
	created  time.Time // creation, for the absolute timeout; zero until saved
	// createdRaw is the stored encoding of created, reused by a save
	// while created is still createdRawUnix (serializers other than JSON).
	createdRaw     []byte
	createdRawUnix int64
	ttl            time.Duration
	vals           map[string]*entry

	accessed, modified bool
	issued             bool // saved during this request: the client needs the cookie
	flushed            bool // Flush ran: an empty session ends the cookie
	// setCookies are set by Commit besides the session cookie: the
	// Manager's Adopt hook's (an old library's cookie expired).
	setCookies []*http.Cookie
	// clientUA and clientIP are the login's client (SetClient), given
	// to the backend with the next save's record (Record.UserAgent, IP).
	clientUA, clientIP string
}

// entry is one value: the encoding it was loaded with, and the Go value
// once set or decoded.
type entry struct {
	raw     []byte // the serializer's encoding; nil when the value was set
	val     any
	live    bool // val holds the value
	set     bool // val is what Set was given
	generic bool // val was decoded into the serializer's generic form
	dirty   bool // set since the last save: raw is stale
}

// New returns a new, empty session over b with the default settings (JSON,
// an hour, no absolute timeout): the reference's Session::new. Behind
// HTTP, use a Manager, which also loads and commits sessions.
func New(b SessionBackend) *Session { return NewManager(b).New() }

// Open loads the session with key id from b with the default settings; a
// key the backend does not know gives a new, empty session with no key,
// never one with the client's key. An error means the backend failed.
func Open(ctx context.Context, b SessionBackend, id SessionID) (*Session, error) {
	return NewManager(b).Open(ctx, id)
}

// Key returns the session key, "" when the session has none yet (a new
// session gets one when saved, or from GetOrCreateKey): Django's
// session_key. With CookieSessionBackend it is the cookie value.
func (s *Session) Key() SessionID { return s.key }

// Expiry returns when the stored session expires, the zero time for a
// session never saved: Django's get_expiry_date.
func (s *Session) Expiry() time.Time { return s.expiry }

// Created returns when the session was created (or last logged in to, as
// login starts a new lifetime), the zero time before its first save.
func (s *Session) Created() time.Time { return s.created }

// TTL returns how long Save keeps the session from now: the Manager's
// IdleTimeout, or an hour, unless SetTTL changed it.
func (s *Session) TTL() time.Duration { return s.ttl }

// SetTTL sets how long the next saves keep the session from their time;
// the Manager's Lifetime still caps it. d <= 0 restores the default.
func (s *Session) SetTTL(d time.Duration) {
	if d <= 0 {
		d = s.m.ttl()
	}
	s.ttl = d
}

func (s *Session) lookup(key string) *entry {
	s.accessed = true
	return s.vals[key]
}

// Get returns the value stored under key, decoded into the serializer's
// generic form (see Serializer for how numbers come back), and whether
// there is one. Use GetAs for a typed value.
func (s *Session) Get(key string) (any, bool) { return GetAs[any](s, key) }

// GetAs returns the value stored under key as a T, and whether there is
// one that fits T. A value set during this request is returned as set when
// it is a T; otherwise its encoding is decoded into T, so the answer is
// the same before and after a save: an int stored reads as an int (or an
// int64, or a float64) with every serializer, a JSON number reads as an
// int when it is integral, and a value that does not fit T (a string as an
// int, 2.5 or 1e30 as an int, -7 as a uint) gives (zero, false).
//
// The first value decoded for a key is kept for the rest of the request,
// so a map or slice read twice is the same value, and changing it in place
// then calling MarkModified saves the change.
func GetAs[T any](s *Session, key string) (T, bool) {
	var zero T
	e := s.lookup(key)
	if e == nil {
		return zero, false
	}
	_, untyped := any((*T)(nil)).(*any)
	if e.live && (!untyped || e.set || e.generic) {
		if v, ok := e.val.(T); ok {
			return v, true
		}
	}
	ser := s.m.serializer()
	raw := e.raw
	if e.dirty || raw == nil {
		b, err := ser.Marshal(e.val)
		if err != nil {
			return zero, false
		}
		raw = b
	}
	if _, isJSON := ser.(jsonSerializer); isJSON {
		// An integer, a string or a bool: decoded without reflection, and
		// not kept, since a copy of one is the same value (only maps,
		// slices and pointers need to be kept to stay the same value).
		var v T
		if unmarshalJSONScalar(raw, &v) {
			return v, true
		}
	}
	v, err := unmarshalAs[T](ser, raw)
	if err != nil {
		return zero, false
	}
	if !e.live {
		e.val, e.live, e.generic = v, true, untyped
	}
	return v, true
}

// unmarshalAs decodes raw into a new T. It is GetAs' general case, apart
// so that GetAs' own variable stays on the stack.
func unmarshalAs[T any](ser Serializer, raw []byte) (T, error) {
	var v T
	err := ser.Unmarshal(raw, &v)
	return v, err
}

// Set stores value under key and marks the session modified. The value is
// encoded when the session is saved; an error then (a type the serializer
// cannot encode, or one gob does not know) is returned by Save.
func (s *Session) Set(key string, value any) {
	s.modified, s.accessed = true, true
	if e := s.vals[key]; e != nil {
		*e = entry{val: value, live: true, set: true, dirty: true}
		return
	}
	if s.vals == nil {
		s.vals = make(map[string]*entry)
	}
	s.vals[key] = &entry{val: value, live: true, set: true, dirty: true}
}

// Delete removes key and reports whether it was there; removing a key
// marks the session modified.
func (s *Session) Delete(key string) bool {
	if _, ok := s.vals[key]; !ok {
		s.accessed = true
		return false
	}
	delete(s.vals, key)
	s.modified = true
	return true
}

// ContainsKey reports whether the session has a value under key.
func (s *Session) ContainsKey(key string) bool { return s.lookup(key) != nil }

// Len returns the number of values.
func (s *Session) Len() int {
	s.accessed = true
	return len(s.vals)
}

// IsEmpty reports whether the session has no values: Django's is_empty.
func (s *Session) IsEmpty() bool { return s.Len() == 0 }

// Keys returns the keys, sorted.
func (s *Session) Keys() []string {
	s.accessed = true
	keys := make([]string, 0, len(s.vals))
	for k := range s.vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Values returns the values as Get returns them, in the order of Keys.
func (s *Session) Values() []any {
	keys := s.Keys()
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i], _ = s.Get(k)
	}
	return out
}

// Items yields each key and its value as Get returns it, in the order of
// Keys.
func (s *Session) Items() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for _, k := range s.Keys() {
			v, _ := s.Get(k)
			if !yield(k, v) {
				return
			}
		}
	}
}

// Clear removes every value and marks the session modified; the key is
// kept (Flush also ends it).
func (s *Session) Clear() {
	s.accessed = true
	clear(s.vals)
	s.modified = true
}

// MarkModified marks the session modified, so that it is saved: after a
// value obtained with Get or GetAs was changed in place, for instance.
// Every value read so far is encoded again at the save.
func (s *Session) MarkModified() {
	s.modified = true
	for _, e := range s.vals {
		if e.live {
			e.dirty = true
		}
	}
}

// MarkUnmodified clears the modified mark: the changes made so far are not
// saved unless the session is modified again.
func (s *Session) MarkUnmodified() { s.modified = false }

// IsModified reports whether the session was modified since it was loaded
// or saved.
func (s *Session) IsModified() bool { return s.modified }

// IsAccessed reports whether the session was read or written during this
// request (the Manager then adds Vary: Cookie).
func (s *Session) IsAccessed() bool { return s.accessed }

// GetOrCreateKey returns the session key, first giving the session a new
// one if it has none. The key is stored at the next Save.
func (s *Session) GetOrCreateKey() SessionID {
	if s.key == "" {
		s.key = GenerateKey()
	}
	return s.key
}

// GenerateKey returns a new random key (see the package function); the
// session is not changed. Uniqueness in the store is enforced when a new
// session is saved: version 0 fails with ErrConflict if the key exists.
func (s *Session) GenerateKey() SessionID { return GenerateKey() }

// stored reports whether the session exists in the backend under key.
func (s *Session) stored() bool { return s.key != "" && s.version > 0 }

// Flush ends the session: the values are cleared, the stored session is
// deleted now, and the next save creates a new one under a new key (and
// with a new lifetime). Django's flush(); logout calls it. When the
// deletion fails the session is flushed all the same and the error is
// returned, so the caller can fail the request.
func (s *Session) Flush(ctx context.Context) error {
	s.accessed = true
	var err error
	if s.stored() {
		err = s.m.backend().Delete(WithDeleteReason(ctx, DeleteFlushed), s.key)
	}
	clear(s.vals)
	s.key, s.version, s.expiry, s.created = "", 0, time.Time{}, time.Time{}
	s.modified, s.flushed, s.issued = true, true, false
	return err
}

// CycleKey gives the session a new key and keeps its values: the values
// are saved under the new key now and the old stored session is deleted.
// Django's cycle_key(); login calls it against session fixation. A
// session that was never stored just gets a new key at its next save.
func (s *Session) CycleKey(ctx context.Context) error {
	s.accessed = true
	if !s.stored() {
		s.key, s.version = "", 0
		s.modified = true
		return nil
	}
	old := s.key
	s.key, s.version = "", 0
	if err := s.Save(ctx); err != nil {
		return err
	}
	if err := s.m.backend().Delete(ctx, old); err != nil {
		return err
	}
	return nil
}

// Save stores the session now, for TTL from now (capped at the end of
// the Manager's Lifetime), creating it under a new key when it has none,
// and clears the modified mark. It fails with ErrConflict when the stored
// session changed or ended since it was loaded (nothing is written then),
// with ErrTooLarge past MaxDataSize or the backend's limit, and with the
// serializer's error for a value it cannot encode.
func (s *Session) Save(ctx context.Context) error {
	now := s.m.now()
	if s.created.IsZero() {
		s.created = now
	}
	data, err := s.encode()
	if err != nil {
		return err
	}
	expiry := now.Add(s.ttl)
	if d := s.deadline(); !d.IsZero() && expiry.After(d) {
		expiry = d
	}
	if s.key == "" {
		s.key, s.version = GenerateKey(), 0
	}
	id, err := SaveRecord(ctx, s.m.backend(), s.key, s.owned(Record{Data: data, Expiry: expiry, Version: s.version}))
	if err != nil {
		return err
	}
	s.clientUA, s.clientIP = "", "" // recorded: later saves keep the backend's
	s.key, s.version, s.expiry = id, s.version+1, expiry
	s.modified, s.issued = false, true
	for _, e := range s.vals {
		if e.dirty {
			// Keep the value; its encoding is in data, but finding it
			// again costs more than encoding once more if it is
			// read as another type, which is rare.
			e.dirty, e.raw = false, nil
		}
	}
	return nil
}

// deadline is the end of the absolute lifetime, zero when unlimited.
func (s *Session) deadline() time.Time {
	if s.m.Lifetime <= 0 || s.created.IsZero() {
		return time.Time{}
	}
	return s.created.Add(s.m.Lifetime)
}

// encode serializes the values and the creation time.
func (s *Session) encode() ([]byte, error) {
	ser := s.m.serializer()
	if _, isJSON := ser.(jsonSerializer); isJSON {
		return s.encodeJSON()
	}
	m := make(map[string][]byte, len(s.vals)+1)
	for k, e := range s.vals {
		if e.raw != nil && !e.dirty {
			m[k] = e.raw
			continue
		}
		b, err := ser.Marshal(e.val)
		if err != nil {
			return nil, fmt.Errorf("sessions: encoding %q: %w", k, err)
		}
		m[k] = b
	}
	c := s.createdRaw
	if c == nil || s.createdRawUnix != s.created.Unix() {
		b, err := ser.Marshal(s.created.Unix())
		if err != nil {
			return nil, err
		}
		c = b
	}
	m[createdKey] = c
	data, err := ser.MarshalMap(m)
	if err != nil {
		return nil, err
	}
	return checkSize(data)
}

func checkSize(data []byte) ([]byte, error) {
	if len(data) > MaxDataSize {
		return nil, fmt.Errorf("sessions: session of %d bytes is over the %d-byte limit: %w", len(data), MaxDataSize, ErrTooLarge)
	}
	return data, nil
}

// encodeJSON is encode for the JSON serializer: what MarshalMap makes of
// the map encode builds (the members sorted by key, no space), written
// directly, each scalar value appended in place.
func (s *Session) encodeJSON() ([]byte, error) {
	type member struct {
		key string
		e   *entry // nil: the creation time
	}
	var buf [16]member
	members := append(buf[:0], member{key: createdKey})
	n := len(createdKey) + 24
	for k, e := range s.vals {
		if k == createdKey {
			continue // the creation time takes its place, as in encode
		}
		members = append(members, member{k, e})
		n += len(k) + 4 + len(e.raw)
		if e.raw == nil || e.dirty {
			n += 16
		}
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, mb := range members {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, mb.key)
		out = append(out, ':')
		e := mb.e
		switch {
		case e == nil:
			out = strconv.AppendInt(out, s.created.Unix(), 10)
		case e.raw != nil && !e.dirty:
			out = append(out, e.raw...)
		default:
			var ok bool
			if out, ok = appendJSONScalar(out, e.val); ok {
				continue
			}
			b, err := JSON.Marshal(e.val)
			if err != nil {
				return nil, fmt.Errorf("sessions: encoding %q: %w", mb.key, err)
			}
			out = append(out, b...)
		}
	}
	return checkSize(append(out, '}'))
}

// decode fills the session from stored data.
func (s *Session) decode(data []byte) error {
	ser := s.m.serializer()
	if _, isJSON := ser.(jsonSerializer); isJSON && len(data) <= MaxDataSize {
		var buf [16]rawPair
		if pairs, ok := splitJSONObject(data, buf[:0]); ok {
			return s.decodeJSON(data, pairs)
		}
		// Not a valid JSON object: UnmarshalMap says why.
	}
	m, err := ser.UnmarshalMap(data)
	if err != nil {
		return err
	}
	if c, ok := m[createdKey]; ok {
		var unix int64
		if err := ser.Unmarshal(c, &unix); err != nil {
			return err
		}
		s.created = time.Unix(unix, 0)
		s.createdRaw, s.createdRawUnix = c, unix
		delete(m, createdKey)
	}
	if s.created.IsZero() {
		return errors.New("sessions: stored session has no creation time")
	}
	s.vals = make(map[string]*entry, len(m))
	for k, v := range m {
		s.vals[k] = &entry{raw: v}
	}
	return nil
}

// decodeJSON is decode for the members of a JSON session, as
// splitJSONObject gives them: the session UnmarshalMap's map would give
// (keys unescaped as encoding/json does, the last of duplicate keys
// winning), without the map.
func (s *Session) decodeJSON(data []byte, pairs []rawPair) error {
	var (
		created []byte // the last creation time
		entries []entry
		text    string // data, for the keys: one allocation for all
	)
	for _, p := range pairs {
		var k string
		if plain, ok := jsonPlainString(p.key); ok {
			if string(plain) == createdKey {
				created = p.val
				continue
			}
			if text == "" {
				text = string(data)
			}
			k = text[p.koff+1 : p.koff+len(p.key)-1]
		} else {
			var err error
			if k, err = unmarshalAs[string](JSON, p.key); err != nil {
				return err
			}
		}
		if k == createdKey {
			created = p.val
			continue
		}
		if entries == nil {
			// One allocation for every entry (a Set of a new key makes
			// its own).
			entries = make([]entry, 0, len(pairs))
			s.vals = make(map[string]*entry, len(pairs))
		}
		entries = append(entries, entry{raw: p.val})
		s.vals[k] = &entries[len(entries)-1]
	}
	if created != nil {
		unix, ok := jsonInt(created, 64)
		if !ok {
			var err error
			if unix, err = unmarshalAs[int64](JSON, created); err != nil {
				return err
			}
		}
		s.created = time.Unix(unix, 0)
	}
	if s.created.IsZero() {
		return errors.New("sessions: stored session has no creation time")
	}
	return nil
}
