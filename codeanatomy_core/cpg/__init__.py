"""The Code Property Graph: node and edge kinds, contracts, rules and the table builders."""
