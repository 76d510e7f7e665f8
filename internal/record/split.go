package record

// MaxStringLen is the longest TXT character-string (RFC 1035 §3.3): one length
// octet followed by at most 255 octets.
const MaxStringLen = 255

// Split cuts a record value into TXT character-strings of at most 255 octets
// each, in order. A value of 255 octets or less is returned as one string.
// Readers concatenate the strings of one RR again (see Join).
func Split(value string) []string {
	if len(value) <= MaxStringLen {
		return []string{value}
	}

	parts := make([]string, 0, len(value)/MaxStringLen+1)
	for len(value) > MaxStringLen {
		parts = append(parts, value[:MaxStringLen])
		value = value[MaxStringLen:]
	}

	if value != "" {
		parts = append(parts, value)
	}

	return parts
}

// Join concatenates the character-strings of one TXT RR into the record value.
func Join(strs []string) string {
	n := 0
	for _, s := range strs {
		n += len(s)
	}

	b := make([]byte, 0, n)
	for _, s := range strs {
		b = append(b, s...)
	}

	return string(b)
}
