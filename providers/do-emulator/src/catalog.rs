//! The fixed catalogue every account sees: regions, Droplet sizes, public images, and the sizes
//! and engines of managed databases and load balancers. Values follow DigitalOcean's published
//! slugs so configurations written for the real API run unchanged.

use serde_json::{json, Value};

/// A datacenter region.
pub(crate) struct Region {
    pub slug: &'static str,
    pub name: &'static str,
    pub available: bool,
}

/// Regions, in DigitalOcean's order.
pub(crate) const REGIONS: &[Region] = &[
    Region {
        slug: "nyc1",
        name: "New York 1",
        available: true,
    },
    Region {
        slug: "nyc2",
        name: "New York 2",
        available: false,
    },
    Region {
        slug: "nyc3",
        name: "New York 3",
        available: true,
    },
    Region {
        slug: "ams3",
        name: "Amsterdam 3",
        available: true,
    },
    Region {
        slug: "sfo2",
        name: "San Francisco 2",
        available: true,
    },
    Region {
        slug: "sfo3",
        name: "San Francisco 3",
        available: true,
    },
    Region {
        slug: "sgp1",
        name: "Singapore 1",
        available: true,
    },
    Region {
        slug: "lon1",
        name: "London 1",
        available: true,
    },
    Region {
        slug: "fra1",
        name: "Frankfurt 1",
        available: true,
    },
    Region {
        slug: "tor1",
        name: "Toronto 1",
        available: true,
    },
    Region {
        slug: "blr1",
        name: "Bangalore 1",
        available: true,
    },
    Region {
        slug: "syd1",
        name: "Sydney 1",
        available: true,
    },
];

/// The features every available region offers.
const REGION_FEATURES: &[&str] = &[
    "backups",
    "ipv6",
    "metadata",
    "install_agent",
    "storage",
    "image_transfer",
];

/// A Droplet size.
pub(crate) struct Size {
    pub slug: &'static str,
    pub memory: u64,
    pub vcpus: u64,
    pub disk: u64,
    pub transfer: f64,
    pub price_monthly: f64,
    pub description: &'static str,
}

/// Droplet sizes, smallest first.
pub(crate) const SIZES: &[Size] = &[
    Size {
        slug: "s-1vcpu-512mb-10gb",
        memory: 512,
        vcpus: 1,
        disk: 10,
        transfer: 0.5,
        price_monthly: 4.0,
        description: "Basic",
    },
    Size {
        slug: "s-1vcpu-1gb",
        memory: 1024,
        vcpus: 1,
        disk: 25,
        transfer: 1.0,
        price_monthly: 6.0,
        description: "Basic",
    },
    Size {
        slug: "s-1vcpu-2gb",
        memory: 2048,
        vcpus: 1,
        disk: 50,
        transfer: 2.0,
        price_monthly: 12.0,
        description: "Basic",
    },
    Size {
        slug: "s-2vcpu-2gb",
        memory: 2048,
        vcpus: 2,
        disk: 60,
        transfer: 3.0,
        price_monthly: 18.0,
        description: "Basic",
    },
    Size {
        slug: "s-2vcpu-4gb",
        memory: 4096,
        vcpus: 2,
        disk: 80,
        transfer: 4.0,
        price_monthly: 24.0,
        description: "Basic",
    },
    Size {
        slug: "s-4vcpu-8gb",
        memory: 8192,
        vcpus: 4,
        disk: 160,
        transfer: 5.0,
        price_monthly: 48.0,
        description: "Basic",
    },
    Size {
        slug: "s-8vcpu-16gb",
        memory: 16384,
        vcpus: 8,
        disk: 320,
        transfer: 6.0,
        price_monthly: 96.0,
        description: "Basic",
    },
    Size {
        slug: "c-2",
        memory: 4096,
        vcpus: 2,
        disk: 25,
        transfer: 4.0,
        price_monthly: 42.0,
        description: "CPU-Optimized",
    },
    Size {
        slug: "g-2vcpu-8gb",
        memory: 8192,
        vcpus: 2,
        disk: 25,
        transfer: 4.0,
        price_monthly: 63.0,
        description: "General Purpose",
    },
    Size {
        slug: "m-2vcpu-16gb",
        memory: 16384,
        vcpus: 2,
        disk: 50,
        transfer: 4.0,
        price_monthly: 84.0,
        description: "Memory-Optimized",
    },
];

/// A public image.
pub(crate) struct Image {
    pub id: u64,
    pub slug: &'static str,
    pub name: &'static str,
    pub distribution: &'static str,
    pub application: bool,
    pub min_disk_size: u64,
    pub size_gigabytes: f64,
    pub created_at: &'static str,
}

/// Public distribution and application images.
pub(crate) const IMAGES: &[Image] = &[
    Image {
        id: 129211873,
        slug: "ubuntu-22-04-x64",
        name: "22.04 (LTS) x64",
        distribution: "Ubuntu",
        application: false,
        min_disk_size: 7,
        size_gigabytes: 2.36,
        created_at: "2023-03-23T18:23:31Z",
    },
    Image {
        id: 155016890,
        slug: "ubuntu-24-04-x64",
        name: "24.04 (LTS) x64",
        distribution: "Ubuntu",
        application: false,
        min_disk_size: 7,
        size_gigabytes: 2.51,
        created_at: "2024-04-25T14:19:34Z",
    },
    Image {
        id: 138398346,
        slug: "debian-12-x64",
        name: "12 x64",
        distribution: "Debian",
        application: false,
        min_disk_size: 7,
        size_gigabytes: 1.62,
        created_at: "2023-06-12T15:19:58Z",
    },
    Image {
        id: 154969081,
        slug: "fedora-40-x64",
        name: "40 x64",
        distribution: "Fedora",
        application: false,
        min_disk_size: 7,
        size_gigabytes: 2.13,
        created_at: "2024-04-23T18:53:03Z",
    },
    Image {
        id: 153796624,
        slug: "rockylinux-9-x64",
        name: "9 x64",
        distribution: "Rocky Linux",
        application: false,
        min_disk_size: 10,
        size_gigabytes: 1.95,
        created_at: "2024-03-20T20:35:47Z",
    },
    Image {
        id: 156427419,
        slug: "docker-20-04",
        name: "Docker on Ubuntu 22.04",
        distribution: "Ubuntu",
        application: true,
        min_disk_size: 25,
        size_gigabytes: 4.73,
        created_at: "2024-05-09T13:02:40Z",
    },
];

/// A managed database engine: its versions (newest last) and port.
pub(crate) struct Engine {
    pub slug: &'static str,
    pub versions: &'static [&'static str],
    pub port: u16,
    pub scheme: &'static str,
    pub database: &'static str,
    pub user: &'static str,
}

/// Managed database engines.
pub(crate) const ENGINES: &[Engine] = &[
    Engine {
        slug: "pg",
        versions: &["13", "14", "15", "16", "17"],
        port: 25060,
        scheme: "postgresql",
        database: "defaultdb",
        user: "doadmin",
    },
    Engine {
        slug: "mysql",
        versions: &["8"],
        port: 25060,
        scheme: "mysql",
        database: "defaultdb",
        user: "doadmin",
    },
    Engine {
        slug: "valkey",
        versions: &["8"],
        port: 25061,
        scheme: "rediss",
        database: "",
        user: "default",
    },
    Engine {
        slug: "mongodb",
        versions: &["6.0", "7.0"],
        port: 27017,
        scheme: "mongodb+srv",
        database: "admin",
        user: "doadmin",
    },
];

/// Managed database node sizes.
pub(crate) const DATABASE_SIZES: &[&str] = &[
    "db-s-1vcpu-1gb",
    "db-s-1vcpu-2gb",
    "db-s-2vcpu-4gb",
    "db-s-4vcpu-8gb",
    "db-s-6vcpu-16gb",
    "gd-2vcpu-8gb",
];

/// Load balancer sizes (the older `size` field) and the size units they stand for.
pub(crate) const LOAD_BALANCER_SIZES: &[(&str, u64)] =
    &[("lb-small", 1), ("lb-medium", 3), ("lb-large", 6)];

/// The region with this slug.
pub(crate) fn region(slug: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.slug == slug)
}

/// The region with this slug if new objects can be created in it.
pub(crate) fn available_region(slug: &str) -> Option<&'static Region> {
    region(slug).filter(|r| r.available)
}

/// The Droplet size with this slug.
pub(crate) fn size(slug: &str) -> Option<&'static Size> {
    SIZES.iter().find(|s| s.slug == slug)
}

/// The image with this numeric id or slug.
pub(crate) fn image(id_or_slug: &str) -> Option<&'static Image> {
    IMAGES
        .iter()
        .find(|i| i.slug == id_or_slug || i.id.to_string() == id_or_slug)
}

/// The database engine with this slug.
pub(crate) fn engine(slug: &str) -> Option<&'static Engine> {
    ENGINES.iter().find(|e| e.slug == slug)
}

/// A region as DigitalOcean renders it inside other objects and in `GET /v2/regions`.
pub(crate) fn region_json(slug: &str) -> Value {
    let region = region(slug);
    let available = region.is_some_and(|r| r.available);
    let sizes: Vec<&str> = if available {
        SIZES.iter().map(|s| s.slug).collect()
    } else {
        Vec::new()
    };
    json!({
        "name": region.map_or(slug, |r| r.name),
        "slug": slug,
        "features": if available { REGION_FEATURES } else { &[][..] },
        "available": available,
        "sizes": sizes,
    })
}

/// The slugs of the regions new objects can be created in.
fn available_slugs() -> Vec<&'static str> {
    REGIONS
        .iter()
        .filter(|r| r.available)
        .map(|r| r.slug)
        .collect()
}

/// A Droplet size as DigitalOcean renders it.
pub(crate) fn size_json(size: &Size) -> Value {
    json!({
        "slug": size.slug,
        "memory": size.memory,
        "vcpus": size.vcpus,
        "disk": size.disk,
        "transfer": size.transfer,
        "price_monthly": size.price_monthly,
        "price_hourly": (size.price_monthly / 672.0 * 100000.0).round() / 100000.0,
        "regions": available_slugs(),
        "available": true,
        "description": size.description,
        "disk_info": [{ "type": "local", "size": { "amount": size.disk, "unit": "gib" } }],
    })
}

/// An image as DigitalOcean renders it.
pub(crate) fn image_json(image: &Image) -> Value {
    json!({
        "id": image.id,
        "name": image.name,
        "type": "base",
        "distribution": image.distribution,
        "slug": image.slug,
        "public": true,
        "regions": available_slugs(),
        "created_at": image.created_at,
        "min_disk_size": image.min_disk_size,
        "size_gigabytes": image.size_gigabytes,
        "description": format!("{} {}", image.distribution, image.name),
        "tags": [],
        "status": "available",
        "error_message": "",
    })
}
