/* Small behaviours only; every page works without this file. */
