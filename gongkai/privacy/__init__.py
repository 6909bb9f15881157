"""Personal data at rest: the installation's keyring (gongkai.privacy.keys), encrypted model fields and
keyed lookup hashes (fields), encrypted files (files), and key rotation (rotation). The cipher itself is the
pure gongkai.crypto."""
