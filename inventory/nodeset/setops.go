package nodeset

// nset is an ordered set of names with a lazily built index.
type nset struct {
	names []string
	index map[string]struct{}
}

// has reports whether name is in the set.
func (s *nset) has(name string) bool {
	if s.index == nil {
		s.index = toIndex(s.names)
	}
	_, ok := s.index[name]
	return ok
}

// toIndex builds a membership map of names.
func toIndex(names []string) map[string]struct{} {
	m := make(map[string]struct{}, len(names))
	for _, n := range names {
		m[n] = struct{}{}
	}
	return m
}

// apply combines the set with rhs (distinct names) under operator op.
func (s *nset) apply(op byte, rhs []string) {
	switch op {
	case ',':
		for _, n := range rhs {
			if !s.has(n) {
				s.names = append(s.names, n)
				s.index[n] = struct{}{}
			}
		}
	case '!':
		r := toIndex(rhs)
		s.filter(func(n string) bool { _, in := r[n]; return !in })
	case '&':
		r := toIndex(rhs)
		s.filter(func(n string) bool { _, in := r[n]; return in })
	case '^':
		r := toIndex(rhs)
		var extra []string
		for _, n := range rhs {
			if !s.has(n) {
				extra = append(extra, n)
			}
		}
		s.filter(func(n string) bool { _, in := r[n]; return !in })
		s.names = append(s.names, extra...)
		s.index = nil
	}
}

// filter keeps the names for which keep is true, in order.
func (s *nset) filter(keep func(string) bool) {
	out := make([]string, 0, len(s.names))
	for _, n := range s.names {
		if keep(n) {
			out = append(out, n)
		}
	}
	s.names = out
	s.index = nil
}
