// Package cas is bst's content-addressed storage, built on the REAPI data
// model: blobs named by their SHA-256 digest, and Directory messages that
// form Merkle trees of them.
//
// It provides DirectoryDigest, the REAPI Directory digest of a filesystem
// tree (the unique key of BuildStream 2's local and workspace sources, as
// buildbox-casd's CaptureTree computes it); Store, the interface to a CAS
// with tree helpers (Walk, Merge) that work on any Store; and Local, the
// store on disk under a cache directory, which BuildStream 2 delegates to
// buildbox-casd and BuildStream 1 keeps in artifactdir/cas.
//
// # Layout
//
//	<root>/cas/objects/<2 hex>/<62 hex>    blobs, read-only (0444)
//	<root>/cas/objects/<2 hex>/<62 hex>.x  executable copies (0555) for hardlinked checkouts
//	<root>/cas/tmp/<session>-*             blobs being written
//	<root>/cas/refcounts                   reference count table (refTable)
//	<root>/cas/sessions/<id>.log           one pin log per live Local (session)
//	<root>/cas/usage                       usage not accounted for by session logs
//	<root>/cas/refs.log, refs.state        refs in order of last use
//	<root>/cas/gc.lock, gc.turnstile       the collector's lock
//	<root>/<namespace>/refs/<name>         refs: a serialized REAPI Digest
//
// # Writing and reading
//
// A blob is written to a temporary file in cas/tmp and given its name by
// link(2), which fails if the object exists: a reader never sees a partial
// object, and of two processes storing the same new object exactly one
// counts it. Objects are checked against their digest whenever they are
// read (Get, Open, GetDirectory, copying checkouts); one that does not
// match is removed and reported as BlobCorrupt, and storing it again
// repairs the store. There is no fsync: as in cmd/go's cache, the checks on
// read, not durability, keep a damaged cache from giving wrong results.
//
// # What keeps an object
//
// An object stays while it has holders or a live session pins it:
//
//   - Holders are counted in the reference count table: each ref pointing
//     at an object, and each registered Directory listing it. A Directory is
//     registered when stored with PutDirectory or ImportTree (children
//     first, which must be stored already), and from then on its existence
//     holds its children. So SetRef and DeleteRef change one count, and a
//     tree is kept whole by the single count on its root.
//   - Every Local is a session with a log, cas/sessions/<id>.log, locked
//     (flock) for as long as the session lives. Everything the session
//     stores or finds (Put*, FindMissing, Has, GetRef) is appended to it
//     before the call returns: these pins protect a tree between ImportTree
//     and SetRef, and a ref's tree while a command uses it, even if another
//     process deletes the ref meanwhile (buildbox-casd's
//     --protect-session-blobs). Pins last until Close or ReleasePins.
//
// The collector (Expire, and DeleteRef or SetRef releasing an old tree)
// removes an object when it has no holders and no live pin, then lowers
// the counts of a removed Directory's children and goes on with those that
// reach zero. A store-wide reader/writer lock (gcLock: flock on
// cas/gc.lock, with a turnstile so writers are not starved) separates it
// from the readers' "check the object is there, then pin it"; count
// changes also happen under the writer lock.
//
// # Expiry without scanning the cache
//
// Expire's cost grows with what it removes, not with the size of the
// cache. Nothing in it lists the objects, the reference counts or the refs:
//
//   - Choosing refs: cas/refs.log lists refs in order of use (SetRef, and a
//     GetRef that moves the ref's mtime, which happens at most once a minute
//     per ref, as cmd/go's markUsed, append a line). A line is current while
//     the ref's mtime equals its time; Expire reads current lines from the
//     front, i.e. least recently used first, and stops once usage is under
//     the low watermark. refs.state remembers how far it got; the log is
//     compacted when half of it has been consumed or when it has doubled,
//     so each line is copied O(1) times over its life. Protected refs that
//     come up move to the end.
//   - Freeing objects: removing a ref lowers one count; only objects whose
//     count reaches zero are looked at, and each removed Directory costs its
//     children's count updates. The table is an open addressing hash table
//     in one file, so a count is one pread and one pwrite.
//   - Usage: the usage file holds the total of objects no session log
//     accounts for; each session log records what it created. Usage() is
//     that total plus the logs, read incrementally (each Local remembers
//     how far it read each log), so storing an object updates no shared
//     file.
//   - Finished sessions: a log whose flock can be taken belongs to a
//     session that closed or died. Expire folds its usage into the total,
//     offers every object it pinned to the collector (which removes those
//     that nothing else holds: garbage of failed imports, partial trees of
//     killed processes) and removes its leftover temporary files. That costs
//     what the session logged, once.
//
// ExpireStats reports the work (ref log lines read, objects examined) so
// tests can check that it does not grow with the cache.
//
// # Crashes
//
// Every multi-step change is ordered so that a crash in the middle leaves
// counts too high (objects kept that could go), never too low (objects
// removed that are needed): registering a Directory raises its children's
// counts before marking it registered and before its object appears; SetRef
// raises the new root's count before the ref file changes; the collector
// unregisters a Directory before lowering its children's counts. A killed
// session's temporary files are never objects, and its pins are collected
// when Expire finds the session dead. What a crash can leave behind (a
// leaked object, a usage total off by what a killed collector was doing)
// is fixed by Repair, which recomputes everything from the refs, the
// objects and the live sessions; its cost grows with the cache, so it is a
// recovery tool, not part of normal operation. A reference count table
// deleted by hand is rebuilt the same way.
//
// # Checkouts
//
// Checkout writes a tree into a directory by copying (0644, 0755 for
// executables; checked against the digests) or by hard links to the objects
// (0444, and 0555 through a read-only executable copy of the object, since
// one inode cannot have two modes), so that a build cannot modify the cache
// through a staged file without first changing its mode.
//
// Imports: internal/digest, internal/lockedfile and internal/bsterr from this
// module; the REAPI protos, google.golang.org/protobuf, golang.org/x/sync and
// golang.org/x/sys from outside.
package cas
