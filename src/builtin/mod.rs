//! Built-in resource types that need no cloud (`terraform_data`).
