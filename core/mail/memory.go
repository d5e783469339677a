package mail

import (
	"context"
	"sync"
)

// Memory is a Mailer for tests (Django's locmem.EmailBackend, whose
// messages land in django.core.mail.outbox): it sends nothing and keeps a
// copy of each valid message it is given, in order. The zero value is
// ready; it is safe for concurrent use.
type Memory struct {
	mu     sync.Mutex
	outbox []*Message
}

// Send validates m and appends a copy of it to the outbox.
func (mm *Memory) Send(ctx context.Context, m *Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := m.clone()
	mm.mu.Lock()
	mm.outbox = append(mm.outbox, c)
	mm.mu.Unlock()
	return nil
}

// Outbox returns copies of the messages sent so far, oldest first;
// changing them changes nothing in mm.
func (mm *Memory) Outbox() []Message {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	out := make([]Message, len(mm.outbox))
	for i, m := range mm.outbox {
		out[i] = *m.clone()
	}
	return out
}

// Clear empties the outbox (Django's mail.outbox = []).
func (mm *Memory) Clear() {
	mm.mu.Lock()
	mm.outbox = nil
	mm.mu.Unlock()
}
