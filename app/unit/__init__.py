"""Units (the tree of townships, villages, offices …), supervising teams and routing."""
