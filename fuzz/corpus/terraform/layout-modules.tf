module "fn" {
  source = "./modules/fn"
}
