package email

import (
	"html"
	"strings"
)

// HTML renders the digest's Markdown (headings, list items, paragraphs,
// **bold**, _italics_, `code`) as a small HTML document; anything else
// shows as its text, escaped.
func HTML(md string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	inList := false
	closeList := func() {
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	for line := range strings.SplitSeq(md, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			closeList()
		case strings.HasPrefix(t, "#"):
			closeList()
			h := strings.TrimLeft(t, "#")
			n := min(len(t)-len(h), 6)
			b.WriteString("<h" + string(rune('0'+n)) + ">" + inline(strings.TrimSpace(h)) + "</h" + string(rune('0'+n)) + ">\n")
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			b.WriteString("<li>" + inline(t[2:]) + "</li>\n")
		default:
			closeList()
			b.WriteString("<p>" + inline(t) + "</p>\n")
		}
	}
	closeList()
	b.WriteString("</body></html>\n")
	return b.String()
}

// inline renders **bold**, _italics_ and `code` of one escaped line.
func inline(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(s, "`") {
		if i%2 == 1 {
			b.WriteString("<code>" + html.EscapeString(part) + "</code>")
			continue
		}
		e := html.EscapeString(part)
		e = pairs(e, "**", "<strong>", "</strong>")
		e = pairs(e, "_", "<em>", "</em>")
		b.WriteString(e)
	}
	return b.String()
}

// pairs replaces each pair of delim with open and close; an unpaired
// one stays.
func pairs(s, delim, open, close string) string {
	parts := strings.Split(s, delim)
	if len(parts) < 3 {
		return s
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			switch {
			case i%2 == 1 && i < len(parts)-1:
				b.WriteString(open)
			case i%2 == 0:
				b.WriteString(close)
			default:
				b.WriteString(delim)
			}
		}
		b.WriteString(p)
	}
	return b.String()
}
