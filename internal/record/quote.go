package record

import "strings"

// Quote writes value as the RDATA of one TXT RR in RFC 1035 §5.1
// presentation format: the character-strings of Split (at most 255 octets
// each, §3.3.14), each in double quotes, separated by one space. Inside the
// quotes '"' and '\' are escaped with a backslash and octets outside
// printable ASCII are written as \DDD (three decimal digits), so the text is
// plain printable ASCII and Unquote(Quote(v)) == v for every v. The empty
// value is one empty string: `""`.
func Quote(value string) string {
	var b strings.Builder

	b.Grow(len(value) + 2 + len(value)/MaxStringLen*3)

	for i, part := range Split(value) {
		if i > 0 {
			b.WriteByte(' ')
		}

		writeQuoted(&b, part)
	}

	return b.String()
}

// writeQuoted writes s as one quoted character-string (RFC 1035 §5.1).
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')

	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			// \DDD: the octet as three decimal digits.
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		default:
			b.WriteByte(c)
		}
	}

	b.WriteByte('"')
}

// Unquote reads the RDATA of one TXT RR in RFC 1035 §5.1 presentation
// format and returns its character-strings concatenated (as Join does).
// Strings are separated by spaces or tabs and may be quoted or, as DNS APIs
// also return them, bare words; a bare word ends at a space, a tab or a '"',
// which opens a quoted string. Escapes are resolved: \DDD is the octet with
// that decimal value, \X is X. ok is false when s is malformed: a quoted
// string without its closing quote, a \DDD above 255, or a backslash that
// ends s. Unquote does not check the 255-octet limit of a string.
func Unquote(s string) (value string, ok bool) {
	var b strings.Builder

	b.Grow(len(s))

	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' {
			i++

			continue
		}

		quoted := s[i] == '"'
		if quoted {
			i++
		}

		for {
			if i == len(s) {
				if quoted {
					return "", false // no closing quote
				}

				break
			}

			c := s[i]

			if quoted && c == '"' {
				i++

				break
			}

			if !quoted && (c == ' ' || c == '\t' || c == '"') {
				break
			}

			if c != '\\' {
				b.WriteByte(c)
				i++

				continue
			}

			// \DDD is an octet in decimal; \X is X.
			if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
				n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if n > 255 {
					return "", false
				}

				b.WriteByte(byte(n))
				i += 4

				continue
			}

			if i+1 == len(s) {
				return "", false // a backslash ends s
			}

			b.WriteByte(s[i+1])
			i += 2
		}
	}

	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
