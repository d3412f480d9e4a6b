package config

import "path"

// Glob reports whether s matches pattern, with path.Match semantics: '*'
// matches any run of characters except '/', '?' any one character except
// '/', '[...]' a character class and '\' escapes the next character. So
// "Job/*/db-migrate" matches every namespace's db-migrate Job, and "*" alone
// never matches across a '/'. A malformed pattern matches nothing; Load
// rejects malformed patterns, so that only happens for unchecked input.
func Glob(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// validGlob reports whether pattern is well-formed. path.Match checks the
// whole pattern even when the match fails early.
func validGlob(pattern string) bool {
	_, err := path.Match(pattern, "")
	return err == nil
}
