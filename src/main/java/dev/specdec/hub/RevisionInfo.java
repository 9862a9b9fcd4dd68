package dev.specdec.hub;

import java.util.Set;

/**
 * What the Hub's {@code /api/models/{id}/revision/{revision}} endpoint says about a revision.
 *
 * @param commit the commit hash the revision points to (the {@code sha} field)
 * @param files  the repository's file names at that commit (the {@code siblings[].rfilename} fields)
 */
record RevisionInfo(String commit, Set<String> files) {
}
