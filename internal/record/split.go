package record

// MaxStringLen is the longest TXT character-string (RFC 1035 §3.3): one length
// octet followed by at most 255 octets.
const MaxStringLen = 255

// Split cuts a record value into TXT character-strings of at most 255 octets
// each, in order (RFC 1035 §3.3.14): every part but the last holds exactly
// 255 octets. A value of 255 octets or less is returned as one string; the
// empty value as one empty string, since a TXT RR holds at least one
// character-string. Split works on octets and may cut a multi-octet UTF-8
// sequence; record values are ASCII. Readers concatenate the strings of one
// RR again (see Join), so Join(Split(v)) == v.
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

// Join concatenates the character-strings of one TXT RR into the record value
// (SPEC.md "Length": readers concatenate, they add no separator).
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
