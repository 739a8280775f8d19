// Placeholder: seeded generators and brute-force references land here.
