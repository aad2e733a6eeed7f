"""The privacy layer every number passes through before a user can see or export it:
the rules, complementary suppression, two-way tables and banded displays."""
