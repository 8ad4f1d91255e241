"""The demo data (manage.py seed_demo), in one place above every app: the registry of Ningbo's districts,
projects, firms and people (registry), their devices (devices), two months of attendance with one planted
violation per rule (attendance), the enforcement that follows (enforcement), and a second city under the
Zhongshan preset (zhongshan). Builders may import any app; no app imports them."""
