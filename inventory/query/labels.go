package query

import "github.com/fleetcheck/fleetcheck/inventory"

// labelIndex maps each value of one label key to the indexes (increasing)
// of the inventory hosts holding it. For key "group" a host's Ansible
// groups count as values too (inventory.Host.LabelValues).
type labelIndex map[string][]int32

// buildLabelIndex indexes key over hosts in one pass (one map read per
// host: values get small ids, lists are appended by id).
func buildLabelIndex(hosts []inventory.Host, key string) labelIndex {
	ids := map[string]int{}
	var values []string
	var lists [][]int32
	add := func(v string, i int) {
		id, ok := ids[v]
		if !ok {
			id = len(values)
			ids[v] = id
			values = append(values, v)
			lists = append(lists, nil)
		}
		lists[id] = append(lists[id], int32(i))
	}
	for i := range hosts {
		h := &hosts[i]
		if key == "group" && len(h.Groups) > 0 {
			for _, v := range h.LabelValues(key) {
				add(v, i)
			}
			continue
		}
		if v, ok := h.Labels[key]; ok {
			add(v, i)
		}
	}
	idx := make(labelIndex, len(values))
	for id, v := range values {
		idx[v] = lists[id]
	}
	return idx
}

// labelIndex returns the index of key, building it on first use.
func (ev *evaluator) labelIndex(key string) labelIndex {
	idx, ok := ev.labels[key]
	if !ok {
		idx = buildLabelIndex(ev.hosts, key)
		ev.labels[key] = idx
	}
	return idx
}

// addIndexes sets every index of list in b.
func addIndexes(b bitset, list []int32) {
	for _, i := range list {
		b[i/64] |= 1 << (uint(i) % 64)
	}
}
