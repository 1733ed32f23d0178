"""Stand-in for freedesktop-sdk's collect_initial_scripts element plugin.

The corpus keeps only a placeholder for the plugin's code, so BuildStream
1.6.8 cannot load freedesktop-sdk-22.08.21 as it is. scripts/bench.sh copies
this file over the placeholder in its temporary copy of the tree. It reads
the element's configuration (`path`) and keys on it, which is all that
`bst show` needs; it does not build anything.
"""
from buildstream import Element


class CollectInitialScriptsElement(Element):

    def configure(self, node):
        self.node_validate(node, ['path'])
        self.path = self.node_subst_member(node, 'path')

    def preflight(self):
        pass

    def get_unique_key(self):
        return {'path': self.path}

    def configure_sandbox(self, sandbox):
        pass

    def stage(self, sandbox):
        pass

    def assemble(self, sandbox):
        return '/'


def setup():
    return CollectInitialScriptsElement
