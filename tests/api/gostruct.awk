# Read one Go source file and print what encoding/json sees of the struct type T (awk -v T=Name).
#
# Output, one record a line, tab-separated:
#   I <alias> <import path>   every import of the file (alias "-" when the import has none)
#   F <json name>             a field: its Go name, or the name its `json:"..."` tag gives it
#   E <type>                  an embedded field without a json name: its type ("Resources",
#                             "*container.Config"), whose fields Go promotes
#   A <type>                  T is declared as another type ("type T = pkg.U" or "type T pkg.U"):
#                             it has that type's fields
#   W <text>                  something this parser could not read for sure
# Nothing at all when T is not declared in the file.
#
# What it reads: comments (// and /* */, also across lines), string, rune and raw literals, several
# names on one line ("A, B int"), inline struct types (their inner fields are not T's), tags with
# other keys besides json, `json:"-"` (skipped) and `json:"-,"` (a field named "-"), unexported
# names (skipped; an unexported embedded struct still promotes its exported fields), and "type ( )"
# groups, one-line bodies ("type T struct{ A int }").  Generic types are reported with W.

function strip(line,    out, i, c, n, nx) {
        # Remove comments and the contents of literals (kept as "" / `` / ''), carrying /* */ and raw
        # string state across lines.  Tags (raw strings) are saved in TAGS[] first, in order.
        out = ""
        n = length(line)
        ntags = 0
        for (i = 1; i <= n; i++) {
                c = substr(line, i, 1)
                nx = substr(line, i + 1, 1)
                if (inblock) {
                        if (c == "*" && nx == "/") { inblock = 0; i++ }
                        continue
                }
                if (inraw) {
                        if (c == "`") {
                                inraw = 0
                                TAGS[++ntags] = raw
                                out = out "``"
                        } else
                                raw = raw c
                        continue
                }
                if (c == "/" && nx == "/")
                        break
                if (c == "/" && nx == "*") { inblock = 1; i++; continue }
                if (c == "`") { inraw = 1; raw = ""; continue }
                if (c == "\"" || c == "'") {
                        # an interpreted string or rune literal: skip to its unescaped end
                        q = c
                        for (i++; i <= n; i++) {
                                c = substr(line, i, 1)
                                if (c == "\\") { i++; continue }
                                if (c == q) break
                        }
                        out = out q q
                        continue
                }
                out = out c
        }
        if (inraw)
                raw = raw "\n"
        return out
}

function trim(s) {
        sub(/^[ \t]+/, "", s)
        sub(/[ \t]+$/, "", s)
        return s
}

# The json name from a tag: "" when there is no json key (or an empty name), "-" to skip, "-," kept
# as the name "-".
function json_name(tag,    v) {
        if (!match(tag, /(^|[ \t])json:"[^"]*"/))
                return ""
        v = substr(tag, RSTART, RLENGTH)
        sub(/^[ \t]*json:"/, "", v)
        sub(/"$/, "", v)
        if (v == "-")
                return "\001skip"
        if (v ~ /^-,/)
                return "-"
        sub(/,.*/, "", v)
        return v
}

function count(s, ch,    t) {
        t = s
        return gsub(ch, "", t)
}

function field_line(text, tag,    names, rest, k, parts, jn, nm, typ, base) {
        gsub(/``/, "", text)                 # where strip() took the tag out
        text = trim(text)
        if (text == "")
                return
        jn = json_name(tag)
        # "A, B, C Type": names separated by commas, then blanks and a type.  (Read one name at a
        # time: mawk mis-matches a repeated group such as ([ \t]*,[ \t]*NAME)*.)
        names = ""
        rest = text
        while (match(rest, /^[A-Za-z_][A-Za-z0-9_]*/)) {
                names = names (names == "" ? "" : ",") substr(rest, 1, RLENGTH)
                rest = substr(rest, RLENGTH + 1)
                if (!match(rest, /^[ \t]*,[ \t]*/))
                        break
                rest = substr(rest, RLENGTH + 1)
        }
        if (names != "" && rest ~ /^[ \t]/ && trim(rest) != "") {
                k = split(names, parts, ",")
                if (k > 1 && jn != "" && jn != "\001skip")
                        printf "W\t%s: one tag names %d fields\n", names, k
                for (i2 = 1; i2 <= k; i2++) {
                        nm = parts[i2]
                        if (nm !~ /^[A-Z]/ || jn == "\001skip")
                                continue
                        printf "F\t%s\n", jn != "" ? jn : nm
                }
                return
        }
        # an embedded field: [*][pkg.]Type
        typ = text
        if (typ !~ /^\*?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/) {
                printf "W\tcannot read the field line: %s\n", text
                return
        }
        if (jn == "\001skip")
                return
        base = typ
        sub(/^\*/, "", base)
        sub(/^.*\./, "", base)
        if (jn != "") {
                # a json name makes it an ordinary field; an unexported type is then ignored
                if (base ~ /^[A-Z]/)
                        printf "F\t%s\n", jn
                return
        }
        printf "E\t%s\n", typ
}

BEGIN { inblock = 0; inraw = 0; instruct = 0; inimports = 0; ingroup = 0; found = 0; nimp = 0; bd = 0 }

{
        s = strip($0)
        if (instruct) {
                # tags only on the field line itself; a field line starts at depth 1
                tag = ntags ? TAGS[ntags] : ""
                if (depth == 1 && s !~ /^[ \t]*\}/)
                        field_line(s, tag)
                else if (depth == 1 && trim(s) != "}" && trim(s) != "})")
                        printf "W\ttext after the closing brace: %s\n", s
                depth += count(s, "{") - count(s, "}")
                if (depth <= 0)
                        instruct = 0
                next
        }
        if (s ~ /^import[ \t]*\(/) { inimports = 1; next }
        if (inimports) {
                if (s ~ /^[ \t]*\)/) { inimports = 0; next }
                imp[++nimp] = $0
                next
        }
        if (s ~ /^import[ \t]/) { imp[++nimp] = substr($0, 8); next }
        if (s ~ /^type[ \t]*\(/) { ingroup = 1; next }
        if (ingroup && s ~ /^\)/) { ingroup = 0; next }

        # a declaration of T only outside every brace: not a field of another struct named T
        atdepth = bd
        bd += count(s, "{") - count(s, "}")
        decl = ""
        if (atdepth == 0 && s ~ "^type[ \t]+" T "([ \t]|\\[|=|$)")
                decl = s
        else if (atdepth == 0 && ingroup && s ~ "^[ \t]+" T "([ \t]|\\[|=|$)")
                decl = "type " trim(s)
        if (decl == "")
                next
        bd = 0                               # T's own braces are counted by its body
        rest = decl
        sub("^type[ \t]+" T, "", rest)
        if (rest ~ /^\[/) {
                printf "W\t%s is a generic type\n", T
                next
        }
        rest = trim(rest)
        found = 1
        if (rest ~ /^struct[ \t]*\{[ \t]*$/) {
                instruct = 1
                depth = 1
                next
        }
        if (rest ~ /^struct[ \t]*\{[ \t]*\}[ \t]*$/)
                next                         # no fields
        if (rest ~ /^struct[ \t]*\{.*\}[ \t]*$/) {
                # "struct{ A int }", "struct{ A int; B string }": tags only when there is one field
                body = rest
                sub(/^struct[ \t]*\{/, "", body)
                sub(/\}[ \t]*$/, "", body)
                k1 = split(body, seg, ";")
                if (k1 > 1 && ntags)
                        printf "W\t%s: tags on a one-line body of several fields are not read\n", T
                for (j = 1; j <= k1; j++)
                        field_line(seg[j], k1 == 1 && ntags ? TAGS[ntags] : "")
                next
        }
        if (rest ~ /^struct/) {
                printf "W\t%s: a struct body this parser cannot read: %s\n", T, rest
                next
        }
        sub(/^=[ \t]*/, "", rest)
        if (rest ~ /^\*?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/)
                printf "A\t%s\n", rest
        else
                printf "W\t%s is not a struct: %s\n", T, rest
}

END {
        if (!found)
                exit
        for (i = 1; i <= nimp; i++) {
                line = imp[i]
                sub(/\/\/.*/, "", line)
                line = trim(line)
                if (line == "")
                        continue
                alias = ""
                if (line ~ /^[A-Za-z_.][A-Za-z0-9_]*[ \t]+"/) {
                        alias = line
                        sub(/[ \t].*/, "", alias)
                        sub(/^[^ \t]*[ \t]+/, "", line)
                }
                gsub(/"/, "", line)
                printf "I\t%s\t%s\n", alias == "" ? "-" : alias, line
        }
}
