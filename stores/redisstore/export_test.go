package redisstore

// MFAKeysForTest is MFAStore's keys of a user, with the default prefix.
func MFAKeysForTest(userID string) []string {
	return (&MFAStore{prefix: DefaultPrefix + "mfa:"}).keys(userID)
}
