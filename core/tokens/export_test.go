package tokens

// MemoLen is the number of tokens whose family the manager remembers.
func MemoLen(m *TokenRotationManager) int { return m.memo.len() }
