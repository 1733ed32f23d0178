package element

import (
	"context"

	"example.org/bst/internal/cachekey"
	"example.org/bst/internal/plugins/sourcekey"
)

// SourcesKey identifies the staged tree of e's sources: the key of the
// list of its sources' kinds, unique keys and directories (BuildStream 2's
// ElementSources.get_unique_key). ok is false when a source has no ref.
func (e *Element) SourcesKey(ctx context.Context) (key cachekey.Key, ok bool, err error) {
	list := make([]any, 0, len(e.Sources))
	for _, s := range e.Sources {
		in := sourcekey.Input{Gen: int(e.Project.Gen), Kind: s.Kind, Config: s.Config, ProjectDir: e.Project.Dir,
			Alias: e.alias, Cache: e.sourceKeys}
		if j := e.Project.Junction; j != nil && j.Staging != nil {
			in.Staging = j.Staging
		}
		k, err := sourcekey.Key(ctx, in)
		if err != nil {
			if sourcekey.IsNoRef(err) {
				return cachekey.Key{}, false, nil
			}
			return cachekey.Key{}, false, withElement(err, e)
		}
		entry := map[string]any{"key": k, "name": s.Kind}
		if s.Directory != "" {
			entry["directory"] = s.Directory
		}
		list = append(list, entry)
	}
	return cachekey.Generate(list), true, nil
}
