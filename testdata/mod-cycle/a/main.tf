module "b" {
  source = "../b"
}

output "role" {
  value = module.b.role
}
