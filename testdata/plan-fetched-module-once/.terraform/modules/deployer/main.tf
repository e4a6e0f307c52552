module "policy" {
  source = "./modules/policy"
}
