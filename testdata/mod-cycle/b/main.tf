module "a" {
  source = "../a"
}

output "role" {
  value = module.a.role
}
