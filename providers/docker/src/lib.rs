//! plinth's Docker provider: images, networks, volumes and containers through the Docker Engine API.
