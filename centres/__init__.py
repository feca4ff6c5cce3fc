"""The service centre (行政服务中心): the items each window accepts, the clerk on duty, queue
tickets, appointments, and the kiosk, hall display and walk-in intake pages (DESIGN.md §2)."""
