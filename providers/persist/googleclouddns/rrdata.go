package googleclouddns

import (
	"errors"
	"fmt"
	"strings"
)

// maxString is the longest TXT character-string (RFC 1035 §3.3).
const maxString = 255

// formatRRData writes a TXT value as Cloud DNS rrdata: the zone-file
// presentation of the record (RFC 1035 §5.1), one quoted character-string
// per 255 octets of the value (§3.3.14), with `"` and `\` escaped and bytes
// outside printable ASCII written as \DDD.
func formatRRData(value string) string {
	var b strings.Builder

	for i := 0; i < len(value); i += maxString {
		if i > 0 {
			b.WriteByte(' ')
		}

		b.WriteByte('"')

		for _, c := range []byte(value[i:min(i+maxString, len(value))]) {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c > 0x7e:
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}

		b.WriteByte('"')
	}

	return b.String()
}

// parseRRData returns the value of one TXT rrdata: its character-strings
// (quoted, or unquoted words as Cloud DNS also accepts) concatenated, with
// the escapes of RFC 1035 §5.1 (\X and \DDD) resolved.
func parseRRData(s string) (string, error) {
	var b strings.Builder

	i := 0
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
			i++

			continue
		}

		quoted := s[i] == '"'
		if quoted {
			i++
		}

		closed := false

		for i < len(s) {
			c := s[i]

			if quoted && c == '"' {
				i++
				closed = true

				break
			}

			if !quoted && (c == ' ' || c == '\t') {
				break
			}

			if c != '\\' {
				b.WriteByte(c)
				i++

				continue
			}

			// An escape: \DDD (a decimal octet) or \X (X itself).
			if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
				n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if n > 255 {
					return "", fmt.Errorf("escape \\%s is not an octet", s[i+1:i+4])
				}

				b.WriteByte(byte(n))
				i += 4

				continue
			}

			if i+1 >= len(s) {
				return "", errors.New("a backslash ends the record")
			}

			b.WriteByte(s[i+1])
			i += 2
		}

		if quoted && !closed {
			return "", errors.New("a quoted string is not closed")
		}
	}

	return b.String(), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
